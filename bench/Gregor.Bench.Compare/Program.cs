using System.Globalization;
using System.Reflection;
using Gregor.Bench.Compare;
using Gregor.Bench.Compare.Clients;
using Gregor.Bench.Compare.Machine;
using Gregor.Bench.Compare.Reporting;
using Gregor.Bench.Compare.Servers;

// Gregor side by side with Redis Streams, NATS JetStream and the machine's own limits.
// Run through bench/run (it installs the servers and builds Release); see bench/README.md.
if (args is ["tcp-sink", var sinkPort])
{
    return MachineLimits.RunSink(int.Parse(sinkPort, CultureInfo.InvariantCulture));
}

if (args is ["render", var jsonPath])
{
    // Re-draws the table and chart from a results.json (beside it), without running anything.
    var saved = JsonReport.Read(await File.ReadAllTextAsync(jsonPath));
    var dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
    ChartWriter.Write(saved, Path.Combine(dir, "results.png"));
    await File.WriteAllTextAsync(Path.Combine(dir, "results.md"), MarkdownReport.Write(saved));
    Console.WriteLine(MarkdownReport.Write(saved));
    return 0;
}

var options = BenchOptions.Parse(args);
var root = FindRoot();
var gregorDll = Path.Combine(root, "src", "Gregor", "bin", "Release", "net10.0", "gregor.dll");
if (!File.Exists(gregorDll))
{
    Console.Error.WriteLine($"{gregorDll} is missing: build it with `dotnet build -c Release src/Gregor` (bench/run does)");
    return 2;
}
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    ServerProcess.KillAll();
    Environment.Exit(130);
};

var started = DateTimeOffset.UtcNow;
Console.Error.WriteLine($"measuring the machine's limits ({options.MachineBytes >> 20} MiB through a file and over loopback)");
var limits = await MachineLimits.MeasureAsync(Path.GetTempPath(), options.MachineBytes, Assembly.GetEntryAssembly()!.Location);
Console.Error.WriteLine($"file write {limits.FileWriteMBps:N0} MB/s (with fsync {limits.FileWriteFsyncMBps:N0}), read {limits.FileReadMBps:N0} MB/s, loopback {limits.LoopbackMBps:N0} MB/s");

var bench = new Benchmark(options);
if (options.Systems.Contains("gregor"))
{
    var (process, port) = await Servers.StartGregorAsync(root, gregorDll);
    Console.Error.WriteLine($"Gregor broker: pid {process.Pid}, port {port}");
    await using (process)
    await using (var gregor = new GregorClient(process, port))
    {
        await bench.RunAsync(gregor, "");
    }
    (process, port) = await Servers.StartGregorAsync(root, gregorDll);
    await using (process)
    await using (var gregor = new GregorClient(process, port))
    {
        await bench.RunIdleAsync(gregor);
    }
}
if (options.Systems.Contains("redis"))
{
    var (process, port) = await Servers.StartRedisAsync();
    await using (process)
    {
        await using (var redis = await RedisClient.ConnectAsync(process, port, "everysec"))
        {
            await bench.RunAsync(redis, "es-");
            await bench.RunRedisBenchmarkAsync(redis, port);
        }
        await using (var redis = await RedisClient.ConnectAsync(process, port, "no"))
        {
            await bench.RunAsync(redis, "no-", produceOnly: true);
            await bench.RunRedisBenchmarkAsync(redis, port);
        }
    }
    (process, port) = await Servers.StartRedisAsync();
    await using (process)
    await using (var redis = await RedisClient.ConnectAsync(process, port, "everysec"))
    {
        await bench.RunIdleAsync(redis);
    }
}
if (options.Systems.Contains("nats"))
{
    var (process, port) = await Servers.StartNatsAsync();
    await using (process)
    await using (var nats = await NatsClient.ConnectAsync(process, port))
    {
        await bench.RunAsync(nats, "");
    }
    (process, port) = await Servers.StartNatsAsync();
    await using (process)
    await using (var nats = await NatsClient.ConnectAsync(process, port))
    {
        await bench.RunIdleAsync(nats);
    }
}

var rows = bench.Rows.ToList();
rows.Add(MachineRow(Workloads.Produce100, BenchOptions.SmallSize, limits.LoopbackPlusWriteMBps, "loopback + file write"));
rows.Add(MachineRow(Workloads.Produce1K, BenchOptions.LargeSize, limits.LoopbackPlusWriteMBps, "loopback + file write"));
rows.Add(MachineRow(Workloads.Consume1, BenchOptions.SmallSize, limits.ReadPlusLoopbackMBps, "file read + loopback"));
rows = [.. rows.OrderBy(r => Array.IndexOf(Workloads.Order, r.Workload))];
Ratios.Fill(rows);
var report = new Report(
    started,
    MachineInfo.Describe(),
    MachineInfo.Versions(),
    ("bench/run " + string.Join(' ', args)).Trim(),
    options,
    limits,
    rows,
    Targets.Evaluate(rows, limits),
    bench.Runs);

var outDir = Path.GetFullPath(options.Quick && options.OutDir == new BenchOptions().OutDir ? Path.Combine(options.OutDir, "quick") : options.OutDir, root);
Directory.CreateDirectory(outDir);
var markdown = MarkdownReport.Write(report);
await File.WriteAllTextAsync(Path.Combine(outDir, "results.md"), markdown);
await File.WriteAllTextAsync(Path.Combine(outDir, "results.json"), JsonReport.Write(report));
try
{
    ChartWriter.Write(report, Path.Combine(outDir, "results.png"));
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    Console.Error.WriteLine($"chart not written: {e.Message}");
}
Console.WriteLine(markdown);
Console.Error.WriteLine($"written to {outDir}: results.md, results.json, results.png ({(DateTimeOffset.UtcNow - started).TotalMinutes:N1} min)");
return 0;

static Row MachineRow(string workload, int size, double mbps, string what) =>
    new(workload, "machine limit", what, 1, mbps * 1e6 / size, mbps * 1e6 / size, mbps * 1e6 / size, mbps, null, 0, null, null);

static string FindRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gregor.slnx")))
            {
                return dir.FullName;
            }
        }
    }
    throw new DirectoryNotFoundException("Gregor.slnx not found above the current directory");
}
