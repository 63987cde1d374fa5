using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor producer-perf-test`, as kafka-producer-perf-test.sh: sends --num-records records of
/// --record-size random uppercase letters (one payload reused, as Kafka does) at up to
/// --throughput records/sec (-1: unthrottled), then prints Kafka's summary line (see
/// <see cref="ProducerPerfStats"/>). With --json the summary is one JSON object on stdout and
/// the progress lines go to stderr. Exit code 1 if any record failed. Records go through
/// librdkafka's C API (<see cref="NativeProducerLoop"/>), or through Confluent.Kafka's Produce
/// where that cannot be reached.
/// The producer starts from <see cref="KafkaToolDefaults"/> — the Java producer's defaults, which
/// is what kafka-producer-perf-test.sh measures — and --producer.config then --producer-props
/// override them (batch.size, linger.ms, compression.type, acks, ... as Kafka's docs advise).
/// </summary>
public static class ProducerPerfTestCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Where librdkafka's defaults differ from the Java producer's (Kafka 4): batch.size 16384
    /// (librdkafka: 1000000) and enable.idempotence true (librdkafka: false); acks=all and
    /// linger.ms=5 are the same in both and stated for the reader. Delivery reports carry no
    /// key or value back: only status and latency are needed.
    /// </summary>
    public static readonly KeyValuePair<string, string>[] KafkaToolDefaults =
    [
        new("acks", "all"),
        new("enable.idempotence", "true"),
        new("linger.ms", "5"),
        new("batch.size", "16384"),
        new("compression.type", "none"),
        new("dotnet.producer.delivery.report.fields", "none"),
    ];

    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = new Option<string>("--topic") { Description = "The topic to produce to.", Required = true };
        var numRecords = new Option<long>("--num-records") { Description = "How many records to send.", Required = true };
        var recordSize = new Option<int>("--record-size") { Description = "Bytes per record.", Required = true };
        var throughput = new Option<double>("--throughput") { Description = "Records/sec to aim for; -1 for no limit.", Required = true };
        var producerProps = new Option<string[]>("--producer-props")
        {
            Description = "Producer settings KEY=VALUE ... (e.g. acks=1 linger.ms=5).",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var producerConfig = new Option<string?>("--producer.config") { Description = "A properties file of producer settings." };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var command = new Command("producer-perf-test", "Measure producer throughput and latency, like kafka-producer-perf-test.sh.")
        {
            topic, numRecords, recordSize, throughput, producerProps, producerConfig, json,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, (parse, cancellationToken) =>
        {
            var user = new List<KeyValuePair<string, string>>();
            var file = parse.GetValue(producerConfig);
            if (file is not null)
            {
                user.AddRange(ClientProperties.LoadFile(file));
            }
            user.AddRange(ClientProperties.ParsePairs(parse.GetValue(producerProps) ?? [], "--producer-props"));
            var settings = WithDefaults(user);
            var records = parse.GetValue(numRecords);
            var size = parse.GetValue(recordSize);
            if (records <= 0 || size < 0)
            {
                throw new ToolException("--num-records must be positive and --record-size non-negative");
            }
            return Task.FromResult(Run(cluster.Read(parse, settings, "--producer.config/--producer-props"), parse.GetValue(topic)!, records, size, parse.GetValue(throughput),
                parse.GetValue(json), cancellationToken));
        });
        return command;
    }

    /// <summary>
    /// The defaults under the user's settings. As the Java producer does, idempotence that the
    /// user did not ask for is dropped when their acks rule it out (acks=0 or 1).
    /// </summary>
    private static List<KeyValuePair<string, string>> WithDefaults(List<KeyValuePair<string, string>> user)
    {
        var settings = new List<KeyValuePair<string, string>>(KafkaToolDefaults);
        var acks = user.LastOrDefault(kv => kv.Key is "acks" or "request.required.acks").Value;
        if (acks is not null && acks is not ("all" or "-1") && !user.Any(kv => kv.Key == "enable.idempotence"))
        {
            settings.Add(new("enable.idempotence", "false"));
        }
        settings.AddRange(user);
        return settings;
    }

    private static int Run(Dictionary<string, string> config, string topic, long numRecords, int recordSize, double throughput, bool json,
        CancellationToken cancellationToken)
    {
        using var session = AdminSession.Connect(config);
        using var stop = new StopSignal(cancellationToken);
        var progress = json ? Console.Error : Console.Out;
        var stats = new ProducerPerfStats(numRecords, recordSize, line => progress.WriteLine(line));
        var errors = new ClientErrors();
        NativeProducerLoop.Outcome outcome;
        if (RdKafka.TryLoad(out var unavailable))
        {
            var clock = Stopwatch.StartNew();
            outcome = NativeProducerLoop.Run(config, topic, numRecords, recordSize, throughput, stats, errors,
                sent => Throttle(clock, sent, throughput), stop.Token);
        }
        else
        {
            Console.Error.WriteLine($"producer-perf-test: {unavailable}; producing through Confluent.Kafka's per-record API instead");
            outcome = ProduceThroughClient(session, config, topic, numRecords, recordSize, throughput, stats, errors, stop.Token);
        }
        var failed = outcome.Sent - outcome.Delivered;
        var result = stats.Result(outcome.Delivered) with { Failed = failed };
        Console.WriteLine(json ? JsonSerializer.Serialize(result, Json) : result.ToString());
        if (failed > 0)
        {
            return ToolAction.Fail("producer-perf-test", $"{failed} of {outcome.Sent} records were not delivered: {outcome.FirstFailure ?? errors.Last ?? "no delivery report (see the partitions' end offsets)"}");
        }
        return 0;
    }

    /// <summary>The send loop through Confluent.Kafka's Produce, where librdkafka's C API cannot be reached directly.</summary>
    private static NativeProducerLoop.Outcome ProduceThroughClient(AdminSession session, Dictionary<string, string> config, string topic,
        long numRecords, int recordSize, double throughput, ProducerPerfStats stats, ClientErrors errors, CancellationToken stop)
    {
        var endBefore = EndOffsets(session, topic);
        var failures = new SampledFailures();
        using var producer = KafkaClients.Producer(config, errors);
        var payload = new byte[recordSize];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('A' + Random.Shared.Next(26));
        }
        // One message, destination and (empty) header list for every record: Produce would
        // otherwise allocate a destination and a header list per call.
        var message = new Message<byte[]?, byte[]?> { Value = payload, Headers = new Headers() };
        var destination = new TopicPartition(topic, Partition.Any);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        for (; sent < numRecords && !stop.IsCancellationRequested; sent++)
        {
            var onDelivery = stats.IsSampled(sent) ? Timed(stats, failures) : null;
            while (true)
            {
                try
                {
                    producer.Produce(destination, message, onDelivery);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
            if ((sent & 0x3FF) == 0 && stats.WindowDue)
            {
                // Flush(0) only reads how many records are still queued or in flight.
                stats.Progress(sent + 1 - producer.Flush(TimeSpan.Zero));
            }
            Throttle(clock, sent + 1, throughput);
        }
        while (producer.Flush(TimeSpan.FromSeconds(1)) > 0)
        {
        }
        // Records without a handler report nothing back; how many of them the cluster took is
        // read from the partitions' end offsets (all of them when every record was sampled).
        var delivered = stats.Sampling == 1 ? sent - failures.Count : Appended(session, topic, endBefore, sent);
        return new NativeProducerLoop.Outcome(sent, sent - Math.Max(sent - delivered, failures.Count), failures.First);
    }

    /// <summary>The delivery handler of one sampled record: its latency from now, or its failure.</summary>
    private static Action<DeliveryReport<byte[]?, byte[]?>> Timed(ProducerPerfStats stats, SampledFailures failures)
    {
        var sendTime = Stopwatch.GetTimestamp();
        return report =>
        {
            if (report.Error.IsError)
            {
                failures.Add(KafkaClients.Describe(report.Error));
            }
            else
            {
                stats.Sample((int)Stopwatch.GetElapsedTime(sendTime).TotalMilliseconds);
            }
        };
    }

    private sealed class SampledFailures
    {
        private long _count;
        private string? _first;

        public long Count => Interlocked.Read(ref _count);

        public string? First => Volatile.Read(ref _first);

        public void Add(string error)
        {
            Interlocked.Increment(ref _count);
            Interlocked.CompareExchange(ref _first, error, null);
        }
    }

    /// <summary>The end offset of each partition of <paramref name="topic"/>; none when it does not exist (yet).</summary>
    private static Dictionary<TopicPartition, long> EndOffsets(AdminSession session, string topic)
    {
        var found = session.Metadata().Topics.FirstOrDefault(t => t.Topic == topic && !t.Error.IsError);
        return found is null
            ? []
            : LogOffsets.ListAsync(session, found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)), OffsetSpec.Latest()).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Records appended to the topic since <paramref name="before"/>, at most <paramref name="sent"/>
    /// (another producer may write to it too). Waits up to <see cref="ToolTimeouts.Connect"/> for
    /// the end offsets to reach <paramref name="sent"/>: in a cluster they follow replication.
    /// </summary>
    private static long Appended(AdminSession session, string topic, Dictionary<TopicPartition, long> before, long sent)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(ToolTimeouts.Connect.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var appended = EndOffsets(session, topic).Sum(e => e.Value - before.GetValueOrDefault(e.Key));
            if (appended >= sent || Stopwatch.GetTimestamp() >= deadline)
            {
                return Math.Min(appended, sent);
            }
            Thread.Sleep(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Sleeps while more than <paramref name="sent"/>/<paramref name="perSecond"/> seconds are still ahead of the clock.</summary>
    private static void Throttle(Stopwatch clock, long sent, double perSecond)
    {
        if (perSecond <= 0)
        {
            return;
        }
        var ahead = TimeSpan.FromSeconds(sent / perSecond) - clock.Elapsed;
        if (ahead > TimeSpan.FromMilliseconds(2))
        {
            Thread.Sleep(ahead);
        }
    }
}
