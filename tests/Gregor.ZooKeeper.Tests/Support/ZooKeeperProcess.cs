using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gregor.ZooKeeper.Tests.Support;

// Real ZooKeeper servers for tests, on 127.0.0.1 and free ports, each with its own temp data
// directory. Only the BCL is used: other test projects link this file.

/// <summary>A standalone ZooKeeper server process.</summary>
public sealed class ZooKeeperProcess : IAsyncDisposable
{
    private readonly ZooKeeperServerProcess _server;

    private ZooKeeperProcess(ZooKeeperServerProcess server) => _server = server;

    public string ConnectString => $"127.0.0.1:{Port}";

    public int Port => _server.ClientPort;

    /// <summary>Starts the server and returns once its `srvr` command answers with a Mode.</summary>
    public static async Task<ZooKeeperProcess> StartAsync(int tickTimeMs = 500, CancellationToken cancellationToken = default)
    {
        var directory = ZooKeeperServerProcess.NewDirectory();
        var port = ZooKeeperServerProcess.FreePort();
        var config = ZooKeeperServerProcess.BaseConfig(directory, port, tickTimeMs);
        var server = new ZooKeeperServerProcess(directory, port, config);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new ZooKeeperProcess(server);
    }

    /// <summary>Kills the server (no clean shutdown); the data directory stays for <see cref="RestartAsync"/>.</summary>
    public Task StopAsync() => _server.KillAsync();

    /// <summary>Starts the server again on the same port with the same data.</summary>
    public Task RestartAsync() => _server.StartAsync(CancellationToken.None);

    /// <summary>Freezes the process (SIGSTOP): connections stay open and nothing is answered.</summary>
    public void Suspend() => _server.Signal("STOP");

    public void Resume() => _server.Signal("CONT");

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>A ZooKeeper ensemble of servers on loopback.</summary>
public sealed class ZooKeeperEnsemble : IAsyncDisposable
{
    private readonly List<ZooKeeperServerProcess> _servers;

    private ZooKeeperEnsemble(List<ZooKeeperServerProcess> servers) => _servers = servers;

    public string ConnectString => string.Join(",", _servers.Select(s => $"127.0.0.1:{s.ClientPort}"));

    /// <summary>Starts every server and returns once each one serves as leader or follower.</summary>
    public static async Task<ZooKeeperEnsemble> StartAsync(int size = 3, CancellationToken cancellationToken = default)
    {
        var ports = Enumerable.Range(0, size).Select(_ => (Client: ZooKeeperServerProcess.FreePort(),
            Peer: ZooKeeperServerProcess.FreePort(), Election: ZooKeeperServerProcess.FreePort())).ToList();
        var servers = new List<ZooKeeperServerProcess>();
        for (var i = 0; i < size; i++)
        {
            var directory = ZooKeeperServerProcess.NewDirectory();
            File.WriteAllText(Path.Combine(directory, "data", "myid"), $"{i + 1}\n");
            var config = new StringBuilder(ZooKeeperServerProcess.BaseConfig(directory, ports[i].Client, 500));
            config.Append("initLimit=40\nsyncLimit=20\n");
            for (var j = 0; j < size; j++)
            {
                config.Append($"server.{j + 1}=127.0.0.1:{ports[j].Peer}:{ports[j].Election}\n");
            }
            servers.Add(new ZooKeeperServerProcess(directory, ports[i].Client, config.ToString()));
        }
        var ensemble = new ZooKeeperEnsemble(servers);
        try
        {
            await Task.WhenAll(servers.Select(s => s.StartAsync(cancellationToken))).ConfigureAwait(false);
        }
        catch
        {
            await ensemble.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return ensemble;
    }

    /// <summary>The index of the server whose `srvr` says Mode: leader (waits for an election to finish).</summary>
    public async Task<int> FindLeaderAsync()
    {
        var deadline = DateTime.UtcNow + ZooKeeperServerProcess.StartDeadline;
        while (true)
        {
            for (var i = 0; i < _servers.Count; i++)
            {
                if (_servers[i].IsRunning
                    && (await ZooKeeperServerProcess.FourLetterWordAsync(_servers[i].ClientPort, "srvr").ConfigureAwait(false))
                        .Contains("Mode: leader", StringComparison.Ordinal))
                {
                    return i;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no leader in the ensemble {ConnectString} within {ZooKeeperServerProcess.StartDeadline}");
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    public Task KillAsync(int index) => _servers[index].KillAsync();

    public Task RestartAsync(int index) => _servers[index].StartAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One `java … QuorumPeerMain zoo.cfg` process with its directory (zoo.cfg, data/).</summary>
internal sealed class ZooKeeperServerProcess(string directory, int clientPort, string config) : IAsyncDisposable
{
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    private const string ClassPath = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";
    private readonly Queue<string> _output = new();
    private Process? _process;

    public int ClientPort { get; } = clientPort;

    public bool IsRunning => _process is { HasExited: false };

    public static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gregor-zk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        return directory;
    }

    public static string BaseConfig(string directory, int clientPort, int tickTimeMs) =>
        $"tickTime={tickTimeMs}\n" +
        $"dataDir={Path.Combine(directory, "data")}\n" +
        $"clientPort={clientPort}\n" +
        "clientPortAddress=127.0.0.1\n" +
        $"minSessionTimeout={2 * tickTimeMs}\n" +
        "maxSessionTimeout=60000\n" +
        "admin.enableServer=false\n" +
        "4lw.commands.whitelist=ruok,srvr,stat,mntr,conf,cons,dump,wchs\n";

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Sends a four-letter command and returns the answer ("" when the server does not answer).</summary>
    public static async Task<string> FourLetterWordAsync(int port, string command)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command), timeout.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configPath = Path.Combine(directory, "zoo.cfg");
        await File.WriteAllTextAsync(configPath, config, cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo("java")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[] { "-Xmx256m", "-XX:+UseSerialGC", "-cp", ClassPath,
                     "org.apache.zookeeper.server.quorum.QuorumPeerMain", configPath })
        {
            start.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow + StartDeadline;
        while (true)
        {
            if ((await FourLetterWordAsync(ClientPort, "srvr").ConfigureAwait(false)).Contains("Mode:", StringComparison.Ordinal))
            {
                return;
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"ZooKeeper on port {ClientPort} did not start within {StartDeadline} (exited: {process.HasExited}); last output:\n{LastOutput()}");
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task KillAsync()
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().ConfigureAwait(false);
    }

    public void Signal(string signal)
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Signal("CONT"); // a suspended process would not die until continued
        }
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp directory's clean-up.
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 40)
            {
                _output.Dequeue();
            }
        }
    }

    private string LastOutput()
    {
        lock (_output)
        {
            return string.Join("\n", _output);
        }
    }
}
