using HdrHistogram;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Gregor.Bench.Compare.Clients;

/// <summary>
/// NATS JetStream through NATS.Net: asynchronous publish with up to <see cref="Window"/> acks
/// outstanding (as the Go client's PublishAsync), a pull consumer (ack policy none) for reading.
/// Each topic is a stream of the same name with file storage, one subject.
/// </summary>
public sealed class NatsClient : ISystemClient
{
    /// <summary>Publishes awaiting their ack at once (the Go client's default PublishAsyncMaxPending is 4,000).</summary>
    private const int Window = 4_000;

    private readonly NatsConnection _connection;
    private readonly INatsJSContext _js;
    private readonly int _port;

    private NatsClient(ServerProcess server, int port, NatsConnection connection)
    {
        Server = server;
        _port = port;
        _connection = connection;
        _js = connection.CreateJetStreamContext();
    }

    public string Name => "NATS 2.9 JetStream";

    public string Durability => "file storage, fsync by the server's sync policy (default)";

    public ServerProcess Server { get; }

    private static NatsOpts Options(int port) => new()
    {
        Url = $"nats://127.0.0.1:{port}",
        SubPendingChannelCapacity = 100_000,
        RequestTimeout = TimeSpan.FromSeconds(60),
    };

    public static async Task<NatsClient> ConnectAsync(ServerProcess server, int port)
    {
        var connection = new NatsConnection(Options(port));
        await connection.ConnectAsync();
        return new NatsClient(server, port, connection);
    }

    public async Task CreateAsync(string topic, int partitions) =>
        await _js.CreateStreamAsync(new StreamConfig(topic, [topic]) { Storage = StreamConfigStorage.File });

    public async Task DeleteAsync(string topic) => await _js.DeleteStreamAsync(topic);

    public async Task<TimeSpan> ProduceAsync(string topic, long count, int size, bool acksAll, int partitions)
    {
        var value = new byte[size];
        var inFlight = new Queue<NatsJSPublishConcurrentFuture>(Window + 1);
        for (long i = 0; i < count; i++)
        {
            inFlight.Enqueue(await _js.PublishConcurrentAsync(topic, value));
            if (inFlight.Count > Window)
            {
                await CompleteAsync(inFlight.Dequeue());
            }
        }
        while (inFlight.Count > 0)
        {
            await CompleteAsync(inFlight.Dequeue());
        }
        return TimeSpan.Zero;
    }

    private static async Task CompleteAsync(NatsJSPublishConcurrentFuture future)
    {
        await using (future)
        {
            (await future.GetResponseAsync()).EnsureSuccess();
        }
    }

    public async Task<TimeSpan> ConsumeAsync(string topic, long count, int members)
    {
        var first = new FirstRecord();
        var consumer = await _js.CreateOrUpdateConsumerAsync(topic, new ConsumerConfig
        {
            Name = "c" + Guid.NewGuid().ToString("N"),
            AckPolicy = ConsumerConfigAckPolicy.None,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        });
        long received = 0;
        using var done = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Task.WhenAll(Enumerable.Range(0, members).Select(async m =>
        {
            try
            {
                await foreach (var msg in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(opts: new NatsJSConsumeOpts { MaxMsgs = 10_000 }, cancellationToken: done.Token))
                {
                    msg.Data.Dispose();
                    first.Seen();
                    if (Interlocked.Increment(ref received) >= count)
                    {
                        await done.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }));
        if (received < count)
        {
            throw new TimeoutException($"NATS: consumed {received} of {count}");
        }
        return first.Elapsed;
    }

    public async Task LatencyAsync(string topic, int rate, TimeSpan duration, LongHistogram microseconds)
    {
        var expected = Pacer.Expected(rate, duration);
        var consumer = await _js.CreateOrUpdateConsumerAsync(topic, new ConsumerConfig
        {
            Name = "lat",
            AckPolicy = ConsumerConfigAckPolicy.None,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        });
        using var done = new CancellationTokenSource(duration + TimeSpan.FromSeconds(60));
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consuming = Task.Run(async () =>
        {
            long received = 0;
            try
            {
                await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 1_000 }, cancellationToken: done.Token))
                {
                    if (Pacer.IsWarmUp(msg.Data))
                    {
                        ready.TrySetResult();
                        continue;
                    }
                    microseconds.RecordValue(Pacer.MicrosecondsSince(msg.Data));
                    if (++received >= expected)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            return received;
        });
        var acks = new List<Task>();
        async ValueTask Send(byte[] value) => acks.Add(CompleteAsync(await _js.PublishConcurrentAsync(topic, value)));
        await Pacer.WarmUpAsync(100, Send, ready.Task);
        await Pacer.RunAsync(rate, duration, 100, Send);
        await Task.WhenAll(acks);
        var got = await consuming;
        if (got < expected)
        {
            throw new InvalidOperationException($"NATS: latency consumer received {got} of {expected}");
        }
    }

    public async Task<IAsyncDisposable> IdleAsync(int partitions, int connections)
    {
        for (var i = 0; i < partitions; i++)
        {
            await CreateAsync("idle-" + i, 1);
        }
        return await IdleConnections.OpenAsync(_port, connections);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
