using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor consumer-perf-test --topic T --messages N`, as kafka-consumer-perf-test.sh: consumes
/// N records and prints Kafka's header and result row
/// (<c>start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
/// rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec</c>, times as
/// yyyy-MM-dd HH:mm:ss:SSS). A progress line goes to stderr every --reporting-interval ms; with
/// --show-detailed-stats Kafka's periodic rows go to stdout instead of the summary. With --group
/// it joins that group (rebalance.time.ms is the wait for the first assignment); without, it
/// assigns itself every partition from its earliest (or latest) offset and commits nothing.
/// Records come through librdkafka's C API (<see cref="NativeConsumerSource"/>), or through
/// Confluent.Kafka where that cannot be reached. Exit code 1 if fewer than N records
/// arrive before --timeout ms pass without one.
/// </summary>
public static class ConsumerPerfTestCommand
{
    private const string Header = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
    private const string DetailHeader = "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = new Option<string>("--topic") { Description = "The topic to consume.", Required = true };
        var messages = new Option<long>("--messages") { Description = "How many records to consume.", Required = true };
        var group = new Option<string?>("--group") { Description = "Consume as a member of this consumer group." };
        var timeout = new Option<int>("--timeout") { Description = "Give up after this many ms without a record (default 10000).", DefaultValueFactory = _ => 10_000 };
        var interval = new Option<int>("--reporting-interval") { Description = "Ms between progress reports (default 5000).", DefaultValueFactory = _ => 5000 };
        var detailed = new Option<bool>("--show-detailed-stats") { Description = "Print a stats row every reporting interval." };
        var fromLatest = new Option<bool>("--from-latest") { Description = "Start at the latest offset instead of the earliest." };
        var hideHeader = new Option<bool>("--hide-header") { Description = "Leave out the header line." };
        var consumerConfig = new Option<string?>("--consumer.config") { Description = "A properties file of consumer settings." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var command = new Command("consumer-perf-test", "Measure consumer throughput, like kafka-consumer-perf-test.sh.")
        {
            topic, messages, group, timeout, interval, detailed, fromLatest, hideHeader, consumerConfig, json,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, (parse, cancellationToken) =>
        {
            var groupId = parse.GetValue(group);
            var settings = new List<KeyValuePair<string, string>>
            {
                new("group.id", groupId ?? $"perf-consumer-{Random.Shared.Next(100000):D5}"),
                new("enable.auto.commit", groupId is null ? "false" : "true"),
                new("auto.offset.reset", parse.GetValue(fromLatest) ? "latest" : "earliest"),
                // Only keys and values are counted: topic, timestamp and headers are not marshalled
                // into each result (a --consumer.config file may still override this).
                new("dotnet.consumer.consume.result.fields", "none"),
                // librdkafka waits fetch.queue.backoff.ms (1,000 ms by default) before fetching
                // again once its local queue is full; a throughput test that drains the queue in
                // tens of ms would mostly measure that wait (0.14 M records/s instead of 1.3–1.7 M
                // on 100 B records).
                new("fetch.queue.backoff.ms", "1"),
            };
            var file = parse.GetValue(consumerConfig);
            if (file is not null)
            {
                settings.AddRange(ClientProperties.LoadFile(file));
            }
            var options = new PerfOptions(parse.GetValue(topic)!, parse.GetValue(messages), groupId is not null, parse.GetValue(fromLatest),
                parse.GetValue(timeout), parse.GetValue(interval), parse.GetValue(detailed), parse.GetValue(hideHeader), parse.GetValue(json));
            return Task.FromResult(Run(cluster.Read(parse, settings, "--consumer.config"), options, cancellationToken));
        });
        return command;
    }

    private sealed record PerfOptions(string Topic, long Messages, bool InGroup, bool FromLatest, int TimeoutMs, int IntervalMs,
        bool Detailed, bool HideHeader, bool Json);

    /// <summary>The result row's figures; MB is 1024*1024 bytes (keys and values), fetch.* exclude the rebalance wait.</summary>
    private sealed record PerfResult(
        DateTimeOffset StartTime, DateTimeOffset EndTime, double DataConsumedMb, double MbPerSec, long DataConsumedMessages,
        double MessagesPerSec, long RebalanceTimeMs, long FetchTimeMs, double FetchMbPerSec, double FetchMessagesPerSec);

    private static int Run(Dictionary<string, string> config, PerfOptions options, CancellationToken cancellationToken)
    {
        DateTimeOffset start;
        Stopwatch clock;
        long[]? offsets = null;
        using (var session = AdminSession.Connect(config))
        {
            start = DateTimeOffset.Now;
            clock = Stopwatch.StartNew();
            var partitionCount = session.Topic(options.Topic).Partitions.Count;
            if (!options.InGroup)
            {
                offsets = StartOffsets(session, options.Topic, partitionCount, options.FromLatest);
            }
        }
        using var stop = new StopSignal(cancellationToken);
        long? assignedAtMs = options.InGroup ? null : 0;
        var errors = new ClientErrors();
        NativeConsumerSource? native = null;
        IConsumer<int, int>? client = null;
        if (RdKafka.TryLoad(out var unavailable))
        {
            native = new NativeConsumerSource(config, options.Topic, offsets, errors,
                () => assignedAtMs ??= clock.ElapsedMilliseconds);
        }
        else
        {
            Console.Error.WriteLine($"consumer-perf-test: {unavailable}; consuming through Confluent.Kafka's per-record API instead");
            client = ClientConsumer(config, options.Topic, offsets, errors, () => assignedAtMs ??= clock.ElapsedMilliseconds);
        }
        try
        {
            return Consume(options, stop, start, clock, () => assignedAtMs, native, client);
        }
        finally
        {
            native?.Dispose();
            client?.Dispose();
        }
    }

    /// <summary>The consumer through Confluent.Kafka, where librdkafka's C API cannot be reached directly.</summary>
    private static IConsumer<int, int> ClientConsumer(Dictionary<string, string> config, string topic, long[]? offsets,
        ClientErrors errors, Action onAssigned)
    {
        // Keys and values are only measured: their lengths are read in place instead of being
        // copied into a new array per record.
        var consumer = KafkaClients.ConsumerBuilder<int, int>(config, errors)
            .SetKeyDeserializer(LengthOnly.Instance)
            .SetValueDeserializer(LengthOnly.Instance)
            .SetPartitionsAssignedHandler((_, _) => onAssigned())
            .Build();
        if (offsets is null)
        {
            consumer.Subscribe(topic);
        }
        else
        {
            consumer.Assign(offsets.Select((offset, p) => new TopicPartitionOffset(topic, p, offset)));
        }
        return consumer;
    }

    /// <summary>
    /// Each partition's first (or, <paramref name="fromLatest"/>, next) offset, to assign
    /// explicitly: told to start at BEGINNING or END, librdkafka asks the broker only when a
    /// 500 ms retry timer fires (it has no leader yet when the assignment starts), a wait that
    /// would be a fifth of a 3 M-record run.
    /// </summary>
    private static long[] StartOffsets(AdminSession session, string topic, int partitionCount, bool fromLatest)
    {
        var partitions = Enumerable.Range(0, partitionCount).Select(p => new TopicPartition(topic, p)).ToList();
        var found = LogOffsets.ListAsync(session, partitions, fromLatest ? OffsetSpec.Latest() : OffsetSpec.Earliest()).GetAwaiter().GetResult();
        return [.. partitions.Select(tp => found[tp])];
    }

    /// <summary>One record through Confluent.Kafka: 1 and its bytes added, or 0 after waiting up to <paramref name="timeoutMs"/>.</summary>
    private static int TakeOne(IConsumer<int, int> consumer, int timeoutMs, ref long bytes)
    {
        // Consume(0) takes what librdkafka has already queued without arming a timer.
        var record = consumer.Consume(0) ?? consumer.Consume(timeoutMs);
        if (record is { IsPartitionEOF: false })
        {
            bytes += record.Message.Key + record.Message.Value;
            return 1;
        }
        return 0;
    }

    private static int Consume(PerfOptions options, StopSignal stop, DateTimeOffset start, Stopwatch clock, Func<long?> assigned,
        NativeConsumerSource? native, IConsumer<int, int>? client)
    {
        if (options.Detailed && !options.HideHeader && !options.Json)
        {
            Console.WriteLine(DetailHeader);
        }

        long count = 0, bytes = 0, lastCount = 0, lastBytes = 0;
        var lastReportMs = 0L;
        var lastRecordMs = 0L;
        var nowMs = 0L;
        while (count < options.Messages && !stop.Token.IsCancellationRequested && nowMs - lastRecordMs < options.TimeoutMs)
        {
            // Only when nothing is queued does the loop wait (up to 100 ms, so reports stay on time).
            var took = native?.Take(options.Messages - count, 100, ref bytes) ?? TakeOne(client!, 100, ref bytes);
            nowMs = clock.ElapsedMilliseconds;
            if (took > 0)
            {
                count += took;
                lastRecordMs = nowMs;
            }
            if (nowMs - lastReportMs >= options.IntervalMs)
            {
                var windowSeconds = (clock.ElapsedMilliseconds - lastReportMs) / 1000.0;
                var line = string.Format(CultureInfo.InvariantCulture, "{0} records consumed, {1:F1} records/sec ({2:F2} MB/sec)",
                    count, (count - lastCount) / windowSeconds, (bytes - lastBytes) / windowSeconds / (1024 * 1024));
                if (options.Detailed && !options.Json)
                {
                    Console.WriteLine(Row(Snapshot(start, clock, count - lastCount, bytes - lastBytes, windowSeconds, assigned()), detailed: true));
                }
                else
                {
                    Console.Error.WriteLine(line);
                }
                (lastReportMs, lastCount, lastBytes) = (clock.ElapsedMilliseconds, count, bytes);
            }
        }
        var result = Snapshot(start, clock, count, bytes, clock.ElapsedMilliseconds / 1000.0, assigned());
        native?.Close();
        client?.Close();
        if (options.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, Json));
        }
        else if (!options.Detailed)
        {
            if (!options.HideHeader)
            {
                Console.WriteLine(Header);
            }
            Console.WriteLine(Row(result, detailed: false));
        }
        if (count < options.Messages && !stop.Token.IsCancellationRequested)
        {
            return ToolAction.Fail("consumer-perf-test", $"consumed {count} of {options.Messages} records: none arrived for {options.TimeoutMs} ms (raise --timeout to wait longer)");
        }
        return 0;
    }

    private static PerfResult Snapshot(DateTimeOffset start, Stopwatch clock, long count, long bytes, double seconds, long? assignedAtMs)
    {
        var mb = bytes / (1024.0 * 1024);
        var rebalanceMs = assignedAtMs ?? clock.ElapsedMilliseconds;
        var fetchMs = Math.Max(clock.ElapsedMilliseconds - rebalanceMs, 1);
        seconds = Math.Max(seconds, 1e-3);
        return new PerfResult(start, start + clock.Elapsed, mb, mb / seconds, count, count / seconds, rebalanceMs, fetchMs,
            mb / (fetchMs / 1000.0), count / (fetchMs / 1000.0));
    }

    private static string Row(PerfResult r, bool detailed) => string.Format(CultureInfo.InvariantCulture,
        "{0}, {1}, {2:F4}, {3:F4}, {4}, {5:F4}, {6}, {7}, {8:F4}, {9:F4}",
        detailed ? Time(r.EndTime) : Time(r.StartTime), detailed ? "0" : Time(r.EndTime),
        r.DataConsumedMb, r.MbPerSec, r.DataConsumedMessages, r.MessagesPerSec, r.RebalanceTimeMs, r.FetchTimeMs, r.FetchMbPerSec, r.FetchMessagesPerSec);

    private static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss:fff", CultureInfo.InvariantCulture);

    /// <summary>A key or value as its length in bytes (0 for null).</summary>
    private sealed class LengthOnly : IDeserializer<int>
    {
        public static readonly LengthOnly Instance = new();

        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? 0 : data.Length;
    }
}
