using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>A record the producer had acknowledged: where the broker said it is, and when.</summary>
public readonly record struct AckedRecord(string Value, int Partition, long Offset, TimeSpan At, TimeSpan SentAt);

/// <summary>
/// What runs throughout a fault scenario: an idempotent acks=all producer writing unique values
/// ("&lt;run&gt;-&lt;sequence&gt;", partitions in turn, a bounded number in flight) and recording
/// every acknowledged value with its offset, and a consumer group member reading the topic from
/// the start and recording every value it sees. Both clients' ids start with
/// <see cref="ClientIdPrefix"/>, so a proxy can tell them from broker-to-broker connections.
/// </summary>
public sealed class Workload : IAsyncDisposable
{
    public const string ClientIdPrefix = "workload-";
    private const int MaxInFlight = 50;
    private readonly string _topic;
    private readonly int _partitions;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly IProducer<Null, string> _producer;
    private readonly ConcurrentQueue<AckedRecord> _acked = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentDictionary<string, byte> _consumed = new();
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _producing;
    private readonly Thread _consuming;
    private long _sent;
    private int _releases;
    private volatile bool _disposed;

    private Workload(string bootstrap, string topic, int partitions, TimeSpan interval)
    {
        _topic = topic;
        _partitions = partitions;
        _producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = ClientIdPrefix + "producer",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = 120_000,
            RequestTimeoutMs = 10_000,
            RetryBackoffMs = 100,
            RetryBackoffMaxMs = 500,
            ReconnectBackoffMaxMs = 500,
            TopicMetadataRefreshIntervalMs = 1_000,
        }).SetErrorHandler((_, e) => _errors.Enqueue($"producer {e.Code}: {e.Reason}{(e.IsFatal ? " (fatal)" : "")}")).Build();
        _producing = Task.Run(() => ProduceLoopAsync(interval));
        _consuming = new Thread(() => ConsumeLoop(bootstrap)) { IsBackground = true, Name = "workload consumer" };
        _consuming.Start();
    }

    /// <summary>Starts producing one record every <paramref name="interval"/> (5 ms unless given) and consuming.</summary>
    public static Workload Start(string bootstrap, string topic, int partitions, TimeSpan? interval = null) =>
        new(bootstrap, topic, partitions, interval ?? TimeSpan.FromMilliseconds(5));

    public string Topic => _topic;

    public int Partitions => _partitions;

    /// <summary>Time since the workload started (the clock of <see cref="AckedRecord.At"/>).</summary>
    public TimeSpan Now => _clock.Elapsed;

    public long Sent => Interlocked.Read(ref _sent);

    public IReadOnlyList<AckedRecord> Acked => [.. _acked];

    public int AckedCount => _acked.Count;

    /// <summary>Errors the clients reported (delivery failures and client errors), for the failure message.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public IReadOnlyCollection<string> Consumed => [.. _consumed.Keys];

    /// <summary>How many times the consumer has given up partitions (revoked or lost in a rebalance).</summary>
    public int Releases => Volatile.Read(ref _releases);

    /// <summary>Waits until the consumer has given up partitions more than <paramref name="releases"/> times.</summary>
    public Task WaitForReleaseAsync(int releases) =>
        WaitUntilAsync(() => Releases > releases, null, () => $"the consumer still holds its partitions ({Releases} releases)");

    /// <summary>Waits until <paramref name="more"/> further records have been acknowledged.</summary>
    public async Task WaitForAcksAsync(int more, TimeSpan? timeout = null)
    {
        var target = AckedCount + more;
        await WaitUntilAsync(() => AckedCount >= target, timeout,
            () => $"only {AckedCount} of {target} records acknowledged; last client errors:\n  " + string.Join("\n  ", Errors.TakeLast(10)));
    }

    /// <summary>The time of the first acknowledgement of a record to <paramref name="partition"/> after <paramref name="since"/>, when there was one.</summary>
    public TimeSpan? FirstAckAfter(TimeSpan since, int partition)
    {
        TimeSpan? first = null;
        foreach (var a in _acked)
        {
            if (a.At > since && a.Partition == partition && (first is null || a.At < first))
            {
                first = a.At;
            }
        }
        return first;
    }

    /// <summary>Stops producing and waits for every record in flight to be acknowledged or to fail.</summary>
    public async Task StopProducingAsync()
    {
        await _stop.CancelAsync();
        await _producing;
        _producer.Flush(TimeSpan.FromSeconds(150));
    }

    /// <summary>Waits (after <see cref="StopProducingAsync"/>) until the consumer has seen every acknowledged value.</summary>
    public Task WaitForConsumerAsync(TimeSpan timeout) =>
        WaitUntilAsync(() => _acked.All(a => _consumed.ContainsKey(a.Value)), timeout, () => "");

    private async Task ProduceLoopAsync(TimeSpan interval)
    {
        long sequence = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _inFlight.WaitAsync(_stop.Token);
                var value = $"{_run}-{sequence}";
                var partition = (int)(sequence % _partitions);
                var sentAt = _clock.Elapsed;
                sequence++;
                _producer.Produce(new TopicPartition(_topic, partition), new Message<Null, string> { Value = value }, report =>
                {
                    _inFlight.Release();
                    if (report.Error.IsError)
                    {
                        _errors.Enqueue($"{value}: {report.Error.Code} {report.Error.Reason}");
                    }
                    else if (report.Status == PersistenceStatus.Persisted)
                    {
                        _acked.Enqueue(new AckedRecord(value, report.Partition.Value, report.Offset.Value, _clock.Elapsed, sentAt));
                    }
                });
                Interlocked.Increment(ref _sent);
                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ProduceException<Null, string> e)
            {
                _inFlight.Release();
                _errors.Enqueue($"produce refused: {e.Error.Code} {e.Error.Reason}");
                if (e.Error.IsFatal)
                {
                    return;
                }
            }
        }
    }

    private void ConsumeLoop(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = ClientIdPrefix + "consumer",
            GroupId = $"{ClientIdPrefix}{_topic}-{_run}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1_000,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
            TopicMetadataRefreshIntervalMs = 1_000,
            ReconnectBackoffMaxMs = 500,
        }).SetErrorHandler((_, e) => _errors.Enqueue($"consumer {e.Code}: {e.Reason}"))
            .SetPartitionsRevokedHandler((_, _) => Interlocked.Increment(ref _releases))
            .SetPartitionsLostHandler((_, _) => Interlocked.Increment(ref _releases))
            .Build();
        consumer.Subscribe(_topic);
        while (!_disposed)
        {
            try
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false, Message: { } message })
                {
                    _consumed.TryAdd(message.Value, 0);
                }
            }
            catch (ConsumeException e)
            {
                _errors.Enqueue($"consume: {e.Error.Code} {e.Error.Reason}");
            }
        }
        consumer.Close();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(describe());
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _producing;
        }
        _disposed = true;
        _consuming.Join(TimeSpan.FromSeconds(30));
        _producer.Dispose();
        _stop.Dispose();
        _inFlight.Dispose();
    }
}
