using System.Diagnostics;
using Gregor.Bench.Compare.Clients;
using Gregor.Bench.Compare.Reporting;
using HdrHistogram;

namespace Gregor.Bench.Compare;

/// <summary>Runs the workloads against one system after another and collects the rows.</summary>
public sealed class Benchmark(BenchOptions options)
{
    public List<RunResult> Runs { get; } = [];

    public List<Row> Rows { get; } = [];

    private static void Log(string text) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");

    /// <summary>Times <paramref name="work"/>, with the server's CPU seconds and peak RSS over it.</summary>
    public static Task<RunResult> MeasureAsync(ISystemClient client, string workload, long records, long bytes, Func<Task> work, Func<Percentiles>? latency = null) =>
        MeasureAsync(client, workload, records, bytes, async () =>
        {
            await work();
            return TimeSpan.Zero;
        }, latency);

    /// <summary>As above, less the set-up time that <paramref name="work"/> returns (consumers: until the first record).</summary>
    public static async Task<RunResult> MeasureAsync(ISystemClient client, string workload, long records, long bytes, Func<Task<TimeSpan>> work, Func<Percentiles>? latency = null)
    {
        var pid = client.Server.Pid;
        await using var rss = new RssSampler(pid);
        var self = Environment.ProcessId;
        var cpu = ProcStats.CpuSeconds(pid);
        // The client is this process, or a child process it starts and waits for (kcat, redis-benchmark).
        var clientCpu = ProcStats.CpuSeconds(self) + ProcStats.ChildrenCpuSeconds(self);
        var clock = Stopwatch.StartNew();
        var setup = await work();
        var seconds = (clock.Elapsed - setup).TotalSeconds;
        cpu = ProcStats.CpuSeconds(pid) - cpu;
        clientCpu = ProcStats.CpuSeconds(self) + ProcStats.ChildrenCpuSeconds(self) - clientCpu;
        return new RunResult(workload, client.Name, records, bytes, seconds, cpu, await rss.PeakAsync(), latency?.Invoke()) { ClientCpuSeconds = clientCpu };
    }

    private bool Selected(string workload) => options.Workload is not { } only || workload.Contains(only, StringComparison.Ordinal);

    /// <summary>Runs one workload <see cref="BenchOptions.Repeats"/> times; a failure becomes a row with the reason.</summary>
    private async Task RepeatAsync(ISystemClient client, string workload, Func<int, Task<RunResult>> once, int? repeats = null)
    {
        if (!Selected(workload))
        {
            return;
        }
        var runs = new List<RunResult>();
        try
        {
            for (var r = 0; r < (repeats ?? options.Repeats); r++)
            {
                var run = await once(r);
                runs.Add(run);
                Runs.Add(run);
                Log($"{client.Name}: {workload} #{r + 1}: {run.RecordsPerSecond:N0} records/s, {run.MBps:N1} MB/s, server CPU {run.CpuSeconds:N2} s, client CPU {run.ClientCpuSeconds:N2} s, peak RSS {run.PeakRssBytes / 1e6:N0} MB"
                    + (run.Latency is { } l ? $", p50 {l.P50:N2} p99 {l.P99:N2} p99.9 {l.P999:N2} max {l.Max:N2} ms" : ""));
            }
            Rows.Add(Row.From(runs, client.Durability));
        }
        catch (Exception e)
        {
            var reason = e.Message.Split('\n')[0];
            Log($"{client.Name}: {workload} failed: {e}");
            Rows.Add(Row.Failed(workload, client.Name, client.Durability, reason));
        }
    }

    /// <summary>All workloads, or (for a second durability setting of the same server) only the produce workloads.</summary>
    public async Task RunAsync(ISystemClient client, string prefix, bool produceOnly = false)
    {
        var small = options.SmallRecords;
        var smallBytes = small * BenchOptions.SmallSize;
        string? lastSmall = null;
        await RepeatAsync(client, Workloads.Produce100, async r =>
        {
            var topic = $"{prefix}p100-{r}";
            if (lastSmall is not null)
            {
                await client.DeleteAsync(lastSmall); // the last repetition's topic stays for the consumers
            }
            await client.CreateAsync(topic, 1);
            lastSmall = topic;
            return await MeasureAsync(client, Workloads.Produce100, small, smallBytes,
                () => client.ProduceAsync(topic, small, BenchOptions.SmallSize, acksAll: false, partitions: 1));
        });
        if (client is GregorClient)
        {
            await RepeatAsync(client, Workloads.Produce100All, async r =>
            {
                var topic = $"{prefix}pall-{r}";
                await client.CreateAsync(topic, 1);
                var run = await MeasureAsync(client, Workloads.Produce100All, small, smallBytes,
                    () => client.ProduceAsync(topic, small, BenchOptions.SmallSize, acksAll: true, partitions: 1));
                await client.DeleteAsync(topic);
                return run;
            });
        }
        var large = options.LargeRecords;
        await RepeatAsync(client, Workloads.Produce1K, async r =>
        {
            var topic = $"{prefix}p1k-{r}";
            await client.CreateAsync(topic, 1);
            var run = await MeasureAsync(client, Workloads.Produce1K, large, large * BenchOptions.LargeSize,
                () => client.ProduceAsync(topic, large, BenchOptions.LargeSize, acksAll: false, partitions: 1));
            await client.DeleteAsync(topic);
            return run;
        });
        if (produceOnly)
        {
            return;
        }
        if (lastSmall is not null)
        {
            await ConsumeWorkloadsAsync(client, prefix, lastSmall);
            await client.DeleteAsync(lastSmall);
        }

        var expected = Pacer.Expected(BenchOptions.LatencyRate, options.LatencyDuration);
        await RepeatAsync(client, Workloads.Latency, async r =>
        {
            var topic = $"{prefix}lat-{r}";
            await client.CreateAsync(topic, 1);
            var histogram = new LongHistogram(300_000_000, 3); // microseconds, up to 5 min
            var run = await MeasureAsync(client, Workloads.Latency, expected, expected * BenchOptions.SmallSize,
                () => client.LatencyAsync(topic, BenchOptions.LatencyRate, options.LatencyDuration, histogram),
                () => new Percentiles(
                    histogram.GetValueAtPercentile(50) / 1000.0,
                    histogram.GetValueAtPercentile(99) / 1000.0,
                    histogram.GetValueAtPercentile(99.9) / 1000.0,
                    histogram.GetMaxValue() / 1000.0));
            await client.DeleteAsync(topic);
            return run;
        });
    }

    /// <summary>One consumer, then a group of four, reading what the 100 B produce wrote.</summary>
    private async Task ConsumeWorkloadsAsync(ISystemClient client, string prefix, string lastSmall)
    {
        var small = options.SmallRecords;
        var smallBytes = small * BenchOptions.SmallSize;
        await RepeatAsync(client, Workloads.Consume1, _ => MeasureAsync(client, Workloads.Consume1, small, smallBytes,
            () => client.ConsumeAsync(lastSmall, small, members: 1)));
        if (client is GregorClient gregor)
        {
            var kcat = new NamedClient(gregor, KcatConsumer.Name);
            await RepeatAsync(kcat, Workloads.Consume1, _ => MeasureAsync(kcat, Workloads.Consume1, small, smallBytes,
                () => KcatConsumer.ConsumeAsync(gregor.Bootstrap, lastSmall, small)));
        }

        var groupTopic = lastSmall;
        if (client is GregorClient && Selected(Workloads.ConsumeGroup))
        {
            // Kafka groups share out partitions: a 4-partition topic holding the same records.
            groupTopic = $"{prefix}g4";
            Log("Gregor: filling a 4-partition topic for the group workload");
            await client.CreateAsync(groupTopic, 4);
            await client.ProduceAsync(groupTopic, small, BenchOptions.SmallSize, acksAll: false, partitions: 4);
        }
        await RepeatAsync(client, Workloads.ConsumeGroup, _ => MeasureAsync(client, Workloads.ConsumeGroup, small, smallBytes,
            () => client.ConsumeAsync(groupTopic, small, members: 4)));
        if (groupTopic != lastSmall)
        {
            await client.DeleteAsync(groupTopic);
        }
    }

    /// <summary>
    /// At rest, on a freshly started server (so that earlier workloads' data and heap are not
    /// counted): N partitions (streams) and N idle connections; RSS after settling and CPU while watched.
    /// </summary>
    public async Task RunIdleAsync(ISystemClient client)
    {
        await RepeatAsync(client, Workloads.Idle, async _ =>
        {
            await using var idle = await client.IdleAsync(options.IdlePartitions, options.IdleConnections);
            await Task.Delay(options.IdleSettle);
            var pid = client.Server.Pid;
            var cpu = ProcStats.CpuSeconds(pid);
            await Task.Delay(options.IdleWatch);
            cpu = ProcStats.CpuSeconds(pid) - cpu;
            var rss = ProcStats.RssBytes(pid);
            var share = cpu / options.IdleWatch.TotalSeconds * 100;
            return new RunResult(Workloads.Idle, client.Name, 0, 0, options.IdleWatch.TotalSeconds, cpu, rss,
                Note: $"{options.IdlePartitions:N0} partitions, {options.IdleConnections:N0} connections: RSS at rest {rss / 1e6:N0} MB, CPU at rest {share:N2}% of a core");
        }, repeats: 1);
    }

    /// <summary>redis-benchmark's own XADD loop (one connection, 100 commands pipelined) as a second Redis client.</summary>
    public async Task RunRedisBenchmarkAsync(RedisClient redis, int port)
    {
        var name = $"redis-benchmark (AOF {redis.Fsync})";
        var small = options.SmallRecords;
        var proxy = new NamedClient(redis, name);
        await RepeatAsync(proxy, Workloads.Produce100, async r =>
        {
            var key = $"rb-{redis.Fsync}-{r}";
            var run = await MeasureAsync(proxy, Workloads.Produce100, small, small * BenchOptions.SmallSize, async () =>
            {
                using var process = Process.Start(new ProcessStartInfo("redis-benchmark",
                [
                    "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-c", "1", "-P", "100", "-n", small.ToString(System.Globalization.CultureInfo.InvariantCulture), "-q",
                    "XADD", key, "*", "v", new string('x', BenchOptions.SmallSize),
                ])
                { RedirectStandardOutput = true, UseShellExecute = false }) ?? throw new InvalidOperationException("could not start redis-benchmark");
                var output = await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"redis-benchmark exited with {process.ExitCode}: {output}");
                }
            });
            await redis.DeleteAsync(key);
            return run;
        });
    }

    /// <summary>A client under another row label (for redis-benchmark, which runs against the same server).</summary>
    private sealed class NamedClient(ISystemClient inner, string name) : ISystemClient
    {
        public string Name => name;

        public string Durability => inner.Durability;

        public ServerProcess Server => inner.Server;

        public Task CreateAsync(string topic, int partitions) => inner.CreateAsync(topic, partitions);

        public Task DeleteAsync(string topic) => inner.DeleteAsync(topic);

        public Task<TimeSpan> ProduceAsync(string topic, long count, int size, bool acksAll, int partitions) => inner.ProduceAsync(topic, count, size, acksAll, partitions);

        public Task<TimeSpan> ConsumeAsync(string topic, long count, int members) => inner.ConsumeAsync(topic, count, members);

        public Task LatencyAsync(string topic, int rate, TimeSpan duration, LongHistogram microseconds) => inner.LatencyAsync(topic, rate, duration, microseconds);

        public Task<IAsyncDisposable> IdleAsync(int partitions, int connections) => inner.IdleAsync(partitions, connections);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
