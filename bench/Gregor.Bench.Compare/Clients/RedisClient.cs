using HdrHistogram;
using StackExchange.Redis;

namespace Gregor.Bench.Compare.Clients;

/// <summary>
/// Redis Streams through StackExchange.Redis: XADD pipelined (up to <see cref="Window"/> commands
/// in flight on one connection), XREAD with large COUNT, XREADGROUP … NOACK for the group.
/// </summary>
public sealed class RedisClient : ISystemClient
{
    /// <summary>Commands in flight on the producer's connection.</summary>
    private const int Window = 10_000;

    private readonly ConnectionMultiplexer _connection;
    private readonly int _port;

    private RedisClient(ServerProcess server, int port, string fsync, ConnectionMultiplexer connection)
    {
        Server = server;
        _port = port;
        Fsync = fsync;
        _connection = connection;
    }

    /// <summary>The appendfsync setting in force for this client's runs: "everysec" or "no".</summary>
    public string Fsync { get; }

    public string Name => $"Redis 7 (AOF {Fsync})";

    public string Durability => Fsync == "everysec" ? "append-only file, fsync every second" : "append-only file, fsync by the OS";

    public ServerProcess Server { get; }

    public static string Configuration(int port) => $"127.0.0.1:{port},abortConnect=false,allowAdmin=true,protocol=resp2,syncTimeout=60000,asyncTimeout=60000,connectTimeout=10000";

    public static async Task<RedisClient> ConnectAsync(ServerProcess server, int port, string fsync)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(Configuration(port));
        await connection.GetDatabase().ExecuteAsync("CONFIG", "SET", "appendfsync", fsync);
        return new RedisClient(server, port, fsync, connection);
    }

    private IDatabase Db => _connection.GetDatabase();

    public async Task CreateAsync(string topic, int partitions) => await Db.KeyDeleteAsync(topic);

    public async Task DeleteAsync(string topic) => await Db.KeyDeleteAsync(topic);

    public async Task<TimeSpan> ProduceAsync(string topic, long count, int size, bool acksAll, int partitions)
    {
        var db = Db;
        RedisValue value = new byte[size];
        var inFlight = new Queue<Task<RedisValue>>(Window + 1);
        for (long i = 0; i < count; i++)
        {
            inFlight.Enqueue(db.StreamAddAsync(topic, "v", value));
            if (inFlight.Count > Window)
            {
                await inFlight.Dequeue();
            }
        }
        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }
        return TimeSpan.Zero;
    }

    public async Task<TimeSpan> ConsumeAsync(string topic, long count, int members)
    {
        var db = Db;
        var first = new FirstRecord();
        long received = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        if (members == 1)
        {
            RedisValue last = "0-0";
            while (received < count && DateTime.UtcNow < deadline)
            {
                var entries = await db.StreamReadAsync(topic, last, count: 10_000);
                if (entries.Length > 0)
                {
                    first.Seen();
                    received += entries.Length;
                    last = entries[^1].Id;
                }
            }
        }
        else
        {
            var group = "g" + Guid.NewGuid().ToString("N");
            await db.StreamCreateConsumerGroupAsync(topic, group, "0-0");
            await Task.WhenAll(Enumerable.Range(0, members).Select(async m =>
            {
                while (Interlocked.Read(ref received) < count && DateTime.UtcNow < deadline)
                {
                    var entries = await db.StreamReadGroupAsync(topic, group, "c" + m, ">", count: 10_000, noAck: true);
                    if (entries.Length > 0)
                    {
                        first.Seen();
                    }
                    Interlocked.Add(ref received, entries.Length);
                }
            }));
        }
        if (received < count)
        {
            throw new TimeoutException($"Redis: consumed {received} of {count}");
        }
        return first.Elapsed;
    }

    public async Task LatencyAsync(string topic, int rate, TimeSpan duration, LongHistogram microseconds)
    {
        var expected = Pacer.Expected(rate, duration);
        // XREAD BLOCK holds its connection, so the consumer gets one of its own.
        await using var readConnection = await ConnectionMultiplexer.ConnectAsync(Configuration(_port));
        var reader = readConnection.GetDatabase();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consuming = Task.Run(async () =>
        {
            long received = 0;
            var last = "0-0";
            var deadline = DateTime.UtcNow + duration + TimeSpan.FromSeconds(30);
            while (received < expected && DateTime.UtcNow < deadline)
            {
                var reply = await reader.ExecuteAsync("XREAD", "COUNT", 1000, "BLOCK", 100, "STREAMS", topic, last);
                if (reply.IsNull)
                {
                    continue;
                }
                // [[key, [[id, [field, value]], ...]]]
                var entries = (RedisResult[])((RedisResult[])((RedisResult[])reply!)![0]!)![1]!;
                foreach (var entry in entries)
                {
                    var parts = (RedisResult[])entry!;
                    var fields = (RedisResult[])parts[1]!;
                    var value = (byte[])fields[1]!;
                    last = (string)parts[0]!;
                    if (Pacer.IsWarmUp(value))
                    {
                        ready.TrySetResult();
                        continue;
                    }
                    microseconds.RecordValue(Pacer.MicrosecondsSince(value));
                    received++;
                }
            }
            return received;
        });
        var db = Db;
        var sends = new List<Task>();
        ValueTask Send(byte[] value)
        {
            sends.Add(db.StreamAddAsync(topic, "v", value));
            return ValueTask.CompletedTask;
        }
        await Pacer.WarmUpAsync(100, Send, Task.WhenAny(ready.Task, consuming));
        if (consuming.IsFaulted)
        {
            await consuming;
        }
        await Pacer.RunAsync(rate, duration, 100, Send);
        await Task.WhenAll(sends);
        var got = await consuming;
        if (got < expected)
        {
            throw new InvalidOperationException($"Redis: latency consumer received {got} of {expected}");
        }
    }

    public async Task<IAsyncDisposable> IdleAsync(int partitions, int connections)
    {
        var db = Db;
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(i => db.StreamAddAsync("idle-" + i, "v", "x")));
        return await IdleConnections.OpenAsync(_port, connections);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
