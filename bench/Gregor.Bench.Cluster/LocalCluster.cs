using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gregor.Bench.Cluster;

/// <summary>
/// One ZooKeeper (Debian's package, run with Java) and N `gregor server` processes (Release build),
/// each on a free loopback port, all data under one temporary directory that
/// <see cref="DisposeAsync"/> removes after stopping every process it started.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private const string ZooKeeperClasspath = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
    private readonly string _data;
    private readonly Process _zooKeeper;
    private readonly Dictionary<int, BrokerProcess> _brokers = [];

    private LocalCluster(string data, Process zooKeeper, int zooKeeperPort)
    {
        _data = data;
        _zooKeeper = zooKeeper;
        ZooKeeperPort = zooKeeperPort;
    }

    public int ZooKeeperPort { get; }

    /// <summary>zookeeper.connect of the brokers: the ZooKeeper and the /gregor chroot.</summary>
    public string ZooKeeperConnect => $"127.0.0.1:{ZooKeeperPort}/gregor";

    public IReadOnlyDictionary<int, BrokerProcess> Brokers => _brokers;

    public string BootstrapServers => string.Join(',', _brokers.Values.Where(b => !b.Killed).Select(b => $"127.0.0.1:{b.Port}"));

    public static async Task<LocalCluster> StartAsync(string gregorDll, string serverProperties, int brokers, int sessionTimeoutMs, IReadOnlyList<string> overrides)
    {
        var zkPort = FreePort();
        var data = Directory.CreateTempSubdirectory("gregor-bench-cluster-").FullName;
        Directory.CreateDirectory(Path.Combine(data, "zookeeper"));
        File.WriteAllText(Path.Combine(data, "zoo.cfg"), string.Join('\n',
            "tickTime=2000", $"dataDir={Path.Combine(data, "zookeeper")}", $"clientPort={zkPort}", "clientPortAddress=127.0.0.1",
            "admin.enableServer=false", "4lw.commands.whitelist=srvr", "maxSessionTimeout=60000", ""));
        var zk = Start("java", ["-Xmx512m", "-XX:+UseSerialGC", "-cp", ZooKeeperClasspath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", Path.Combine(data, "zoo.cfg")]);
        zk.BeginOutputReadLine();
        zk.BeginErrorReadLine();
        var cluster = new LocalCluster(data, zk, zkPort);
        await WaitForZooKeeperAsync(zkPort);
        for (var id = 1; id <= brokers; id++)
        {
            var port = FreePort();
            var logDir = Path.Combine(cluster._data, $"broker-{id}");
            var process = Start("dotnet", [gregorDll, "server", serverProperties,
                "--override", $"broker.id={id}", "--override", $"listeners=PLAINTEXT://127.0.0.1:{port}",
                "--override", $"zookeeper.connect={cluster.ZooKeeperConnect}", "--override", $"log.dirs={logDir}",
                "--override", $"zookeeper.session.timeout.ms={sessionTimeoutMs}", .. overrides.SelectMany(o => new[] { "--override", o })]);
            cluster._brokers[id] = new BrokerProcess(id, port, process);
        }
        foreach (var broker in cluster._brokers.Values)
        {
            await broker.WaitForLineAsync(new Regex("listening on"), TimeSpan.FromSeconds(120));
        }
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var broker in _brokers.Values.Where(b => !b.Killed))
        {
            broker.Process.Kill(entireProcessTree: true);
        }
        foreach (var broker in _brokers.Values)
        {
            await broker.Process.WaitForExitAsync();
            broker.Process.Dispose();
        }
        _zooKeeper.Kill(entireProcessTree: true);
        await _zooKeeper.WaitForExitAsync();
        _zooKeeper.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private static async Task WaitForZooKeeperAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                var stream = client.GetStream();
                await stream.WriteAsync("srvr"u8.ToArray());
                var answer = await new StreamReader(stream).ReadToEndAsync();
                if (answer.Contains("Mode:", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            await Task.Delay(100);
        }
    }

    private static Process Start(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A broker process whose output lines are kept, to wait for one matching a pattern.</summary>
public sealed class BrokerProcess
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    public BrokerProcess(int id, int port, Process process)
    {
        Id = id;
        Port = port;
        Process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id { get; }

    public int Port { get; }

    public Process Process { get; }

    public bool Killed { get; private set; }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        Killed = true;
        Process.Kill();
    }

    /// <summary>The first line (already seen or still to come) matching <paramref name="pattern"/>.</summary>
    public Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            foreach (var line in _lines)
            {
                if (pattern.Match(line) is { Success: true } m)
                {
                    return Task.FromResult(m);
                }
            }
            _waiters.Add((pattern, found));
        }
        return found.Task.WaitAsync(timeout);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_waiters)
        {
            _lines.Enqueue(line);
            foreach (var (pattern, found) in _waiters)
            {
                if (pattern.Match(line) is { Success: true } m)
                {
                    found.TrySetResult(m);
                }
            }
            _waiters.RemoveAll(w => w.Found.Task.IsCompleted);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"broker {Id} on 127.0.0.1:{Port}");
}
