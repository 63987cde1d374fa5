using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

// Times CreateTopics on a fresh `gregor server` (Release build of src/Gregor) per topic count:
// each run starts a broker on a free loopback port with an empty temporary log dir, creates N
// one-partition topics, and reports the time. Two ways of asking, as users do:
//   one-per-request : N CreateTopics requests of one topic each, one after the other
//                     (a script calling the admin client per topic);
//   one-request     : a single CreateTopics request naming all N topics.
// Besides wall time it reports what the broker spent doing it, which a loaded machine does not
// distort: CPU seconds (utime + stime in /proc/PID/stat) and MB handed to write()
// (wchar in /proc/PID/io), both taken just before the first request and after the last answer.
// Usage: dotnet run -c Release --project bench/Gregor.Bench.CreateTopics [-- COUNT...]
// (default 1000 2000 4000). Build src/Gregor in Release first.

var counts = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1000, 2000, 4000];
var root = FindRepositoryRoot();
var gregorDll = Path.Combine(root, "src", "Gregor", "bin", "Release", "net10.0", "gregor.dll");
if (!File.Exists(gregorDll))
{
    Console.Error.WriteLine($"{gregorDll} not found: build src/Gregor in Release first");
    return 1;
}
Console.WriteLine("| topics | requests | wall (s) | broker CPU (s) | CPU ms/topic | written (MB) | KB/topic |");
Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var n in counts)
{
    foreach (var (perRequest, label) in new[] { (1, "one per topic"), (n, "one for all") })
    {
        (TimeSpan Wall, double CpuSeconds, long WrittenBytes) r;
        try
        {
            r = await TimeAsync(n, perRequest);
        }
        catch (KafkaException e)
        {
            Console.WriteLine($"| {n:N0} | {label} | failed: {e.Error.Reason} | | | | |");
            continue;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {n:N0} | {label} | {r.Wall.TotalSeconds:F1} | {r.CpuSeconds:F1} | {r.CpuSeconds * 1000 / n:F2} | {r.WrittenBytes / 1e6:F1} | {r.WrittenBytes / 1e3 / n:F1} |"));
    }
}
return 0;

static (double CpuSeconds, long WrittenBytes) Usage(int pid)
{
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    var wchar = File.ReadLines($"/proc/{pid}/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal));
    return (ticks / 100.0, long.Parse(wchar["wchar:".Length..].Trim(), CultureInfo.InvariantCulture));
}

async Task<(TimeSpan Wall, double CpuSeconds, long WrittenBytes)> TimeAsync(int topics, int perRequest)
{
    var logDir = Directory.CreateTempSubdirectory("gregor-bench-create-").FullName;
    using var broker = StartBroker(logDir, out var port, out var brokerTail);
    try
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{port}", SocketTimeoutMs = 300_000 }).Build();
        var names = Enumerable.Range(0, topics).Select(i => $"bench-{i:D6}").ToList();
        var options = new CreateTopicsOptions { RequestTimeout = TimeSpan.FromMinutes(30), OperationTimeout = TimeSpan.FromMinutes(30) };
        // Connected and idle before the clock starts, so start-up is not counted.
        admin.GetMetadata(TimeSpan.FromSeconds(60));
        var before = Usage(broker.Id);
        var watch = Stopwatch.StartNew();
        foreach (var chunk in names.Chunk(perRequest))
        {
            await admin.CreateTopicsAsync(chunk.Select(name => new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1 }), options);
        }
        var wall = watch.Elapsed;
        var after = Usage(broker.Id);
        return (wall, after.CpuSeconds - before.CpuSeconds, after.WrittenBytes - before.WrittenBytes);
    }
    catch (KafkaException)
    {
        Console.Error.WriteLine($"{topics} topics, {perRequest} per request: the broker {(broker.HasExited ? $"exited with {broker.ExitCode}" : "is running")}, its last lines:\n{brokerTail()}");
        throw;
    }
    finally
    {
        broker.Kill(entireProcessTree: true);
        await broker.WaitForExitAsync();
        Directory.Delete(logDir, recursive: true);
    }
}

Process StartBroker(string logDir, out int port, out Func<string> brokerTail)
{
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[]
    {
        gregorDll, "server", Path.Combine(root, "config", "server.properties"),
        "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={logDir}",
    })
    {
        info.ArgumentList.Add(a);
    }
    var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
    var pattern = new Regex(@"listening on \S+:(\d+)");
    // The broker's last lines, printed if it stops early.
    var tail = new System.Collections.Concurrent.ConcurrentQueue<string>();
    void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        tail.Enqueue(line);
        while (tail.Count > 20 && tail.TryDequeue(out _))
        {
        }
    }
    process.OutputDataReceived += (_, e) =>
    {
        Keep(e.Data);
        if (e.Data is { } line && pattern.Match(line) is { Success: true } m)
        {
            listening.TrySetResult(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    };
    process.ErrorDataReceived += (_, e) => Keep(e.Data);
    brokerTail = () => string.Join('\n', tail);
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    if (!listening.Task.Wait(TimeSpan.FromSeconds(60)))
    {
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("the broker did not start listening within 60 s");
    }
    port = listening.Task.Result;
    return process;
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Gregor.slnx")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("Gregor.slnx not found above " + AppContext.BaseDirectory);
}
