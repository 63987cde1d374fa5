using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using HdrHistogram;

namespace Gregor.Bench.Compare.Clients;

/// <summary>
/// Gregor through librdkafka (Confluent.Kafka), tuned as librdkafka's performance notes advise:
/// large batches with a short linger, a deep local queue, no compression, delivery reports off
/// (completeness is checked with the partition's end offset instead).
/// </summary>
public sealed class GregorClient(ServerProcess server, int port) : ISystemClient
{
    private readonly string _bootstrap = $"127.0.0.1:{port}";

    public string Bootstrap => _bootstrap;

    public string Name => "Gregor";

    public string Durability => "page cache, fsync by the OS (Kafka defaults)";

    public ServerProcess Server => server;

    private AdminClientConfig AdminConfig => new() { BootstrapServers = _bootstrap };

    public async Task CreateAsync(string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(AdminConfig).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    public async Task DeleteAsync(string topic)
    {
        using var admin = new AdminClientBuilder(AdminConfig).Build();
        await admin.DeleteTopicsAsync([topic]);
    }

    private ProducerConfig ProducerConfig(bool acksAll, bool forLatency) => new()
    {
        BootstrapServers = _bootstrap,
        Acks = acksAll ? Acks.All : Acks.Leader,
        EnableIdempotence = false,
        CompressionType = CompressionType.None,
        // Throughput: fill 1 MB batches, waiting at most 5 ms; latency: send at once.
        LingerMs = forLatency ? 0 : 5,
        BatchSize = 1_000_000,
        BatchNumMessages = 1_000_000,
        QueueBufferingMaxMessages = 2_000_000,
        QueueBufferingMaxKbytes = 1_048_576,
        SocketNagleDisable = true,
        EnableDeliveryReports = forLatency,
    };

    public Task<TimeSpan> ProduceAsync(string topic, long count, int size, bool acksAll, int partitions) => Task.Run(() =>
    {
        string? error = null;
        var untimed = Stopwatch.StartNew();
        using var producer = new ProducerBuilder<Null, byte[]>(ProducerConfig(acksAll, forLatency: false))
            .SetErrorHandler((_, e) => error ??= e.Reason)
            .Build();
        var setup = untimed.Elapsed;
        // Produce copies the value, so one message object serves every record.
        var message = new Message<Null, byte[]> { Value = new byte[size] };
        var targets = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToArray();
        for (long i = 0; i < count; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(targets[i % partitions], message);
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
        }
        if (producer.Flush(TimeSpan.FromMinutes(5)) != 0)
        {
            throw new InvalidOperationException($"Gregor: records still unsent after 5 min ({error})");
        }
        untimed.Restart();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(ConsumerConfig("check")).Build();
        var end = targets.Sum(t => consumer.QueryWatermarkOffsets(t, TimeSpan.FromSeconds(30)).High.Value);
        if (end < count)
        {
            throw new InvalidOperationException($"Gregor: end offset {end} after producing {count} ({error})");
        }
        return setup + untimed.Elapsed;
    });

    private ConsumerConfig ConsumerConfig(string group) => new()
    {
        BootstrapServers = _bootstrap,
        GroupId = group,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnablePartitionEof = false,
        FetchWaitMaxMs = 100,
        // librdkafka's fetch sizes and local queue (100,000 records) as they come, but the next
        // fetch is sent 1 ms after the queue drops below its threshold instead of the default
        // 1,000 ms (fetch.queue.backoff.ms, librdkafka ≥ 2.1): with the default a consumer that
        // empties its queue in 60 ms sits idle for the rest of the second. Measured on 2,000,000
        // records: 1.3–1.7 M records/s against 0.17 M with the default backoff and 1.1–1.2 M with
        // 16 MiB fetches and a 1,000,000-record queue.
        FetchQueueBackoffMs = 1,
        // Topic name, timestamp and headers are not marshalled into each ConsumeResult: the
        // throughput consumers only count. (The latency consumer reads the value, which stays.)
        ConsumeResultFields = "none",
    };

    public async Task<TimeSpan> ConsumeAsync(string topic, long count, int members)
    {
        var first = new FirstRecord();
        long received = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        long progress = DateTime.UtcNow.Ticks;
        var group = "bench-" + Guid.NewGuid().ToString("N");
        await Task.WhenAll(Enumerable.Range(0, members).Select(_ => Task.Factory.StartNew(() =>
        {
            // Values are not copied into managed memory (Ignore), as a consumer that only counts would do.
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(ConsumerConfig(group)).Build();
            if (members == 1)
            {
                consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            }
            else
            {
                consumer.Subscribe(topic);
            }
            // Bounded: fails after 5 min, or after 30 s in which no member received anything.
            // Records are counted locally and added to the shared count every 1,024 (and when
            // the queue runs dry), so that members do not contend on it for every record.
            // Consume(0) takes what librdkafka has queued without arming a timer; only when
            // nothing is queued does the member wait (up to 100 ms).
            var lastProgress = DateTime.UtcNow;
            long local = 0;
            while (Interlocked.Read(ref received) < count)
            {
                var now = DateTime.UtcNow;
                if (now > deadline || now.Ticks - Interlocked.Read(ref progress) > TimeSpan.TicksPerSecond * 30)
                {
                    throw new TimeoutException($"Gregor: consumed {Interlocked.Read(ref received)} of {count}, then nothing for 30 s or past 5 min");
                }
                if (consumer.Consume(0) is not null || consumer.Consume(100) is not null)
                {
                    first.Seen();
                    while (++local < 1024 && consumer.Consume(0) is not null)
                    {
                    }
                }
                if (local > 0)
                {
                    Interlocked.Add(ref received, local);
                    local = 0;
                    if (now - lastProgress > TimeSpan.FromMilliseconds(100))
                    {
                        lastProgress = now;
                        Interlocked.Exchange(ref progress, now.Ticks);
                    }
                }
            }
            consumer.Close();
        }, TaskCreationOptions.LongRunning)));
        return first.Elapsed;
    }

    public async Task LatencyAsync(string topic, int rate, TimeSpan duration, LongHistogram microseconds)
    {
        var expected = Pacer.Expected(rate, duration);
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(ConsumerConfig("lat-" + Guid.NewGuid().ToString("N"))).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consuming = Task.Factory.StartNew(() =>
        {
            long received = 0;
            var deadline = DateTime.UtcNow + duration + TimeSpan.FromSeconds(30);
            while (received < expected && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is not null && Pacer.IsWarmUp(result.Message.Value))
                {
                    ready.TrySetResult();
                }
                else if (result is not null)
                {
                    microseconds.RecordValue(Pacer.MicrosecondsSince(result.Message.Value));
                    received++;
                }
            }
            return received;
        }, TaskCreationOptions.LongRunning);
        using var producer = new ProducerBuilder<Null, byte[]>(ProducerConfig(acksAll: false, forLatency: true)).Build();
        var target = new TopicPartition(topic, 0);
        ValueTask Send(byte[] value)
        {
            producer.Produce(target, new Message<Null, byte[]> { Value = value });
            return ValueTask.CompletedTask;
        }
        await Pacer.WarmUpAsync(100, Send, ready.Task);
        await Pacer.RunAsync(rate, duration, 100, Send);
        producer.Flush(TimeSpan.FromSeconds(30));
        var got = await consuming;
        if (got < expected)
        {
            throw new InvalidOperationException($"Gregor: latency consumer received {got} of {expected}");
        }
    }

    public async Task<IAsyncDisposable> IdleAsync(int partitions, int connections)
    {
        await CreateAsync("idle", partitions);
        return await IdleConnections.OpenAsync(port, connections);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
