using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gregor.EndToEnd.Tests.Support;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// A broker in ZooKeeper mode that must not join refuses to start, exits 1 and says why: its
/// broker.id is registered by a live broker, ZooKeeper does not answer within
/// zookeeper.connection.timeout.ms, or its log dir belongs to another cluster.
/// </summary>
public sealed class StartupRefusalTests
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_second_broker_with_a_registered_broker_id_exits_1_naming_the_id()
    {
        await using var cluster = await KafkaCluster.StartAsync(1);
        await cluster.WaitForRegisteredAsync([1], Generous);
        using var logDir = new TemporaryDirectory();

        var (exitCode, output) = await RunServerAsync(logDir.Path, "broker.id=1", $"zookeeper.connect={cluster.ZooKeeperConnect}");

        Assert.Equal(1, exitCode);
        Assert.Contains("broker.id 1 is already registered", output);
        Assert.False(cluster.Brokers[1].HasExited);
        await cluster.WaitForRegisteredAsync([1], Generous);
    }

    [Fact]
    public async Task An_unreachable_zookeeper_exits_1_after_the_connection_timeout_naming_the_hosts()
    {
        var closedPort = ClosedPort();
        var connect = $"127.0.0.1:{closedPort}/gregor";
        using var logDir = new TemporaryDirectory();
        var clock = Stopwatch.StartNew();

        var (exitCode, output) = await RunServerAsync(logDir.Path, "broker.id=1", $"zookeeper.connect={connect}", "zookeeper.connection.timeout.ms=3000");

        Assert.Equal(1, exitCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"exited after {clock.Elapsed}");
        Assert.Contains($"Timed out waiting for connection to ZooKeeper at 127.0.0.1:{closedPort}", output);
    }

    [Fact]
    public async Task A_log_dir_of_another_cluster_exits_1()
    {
        await using var cluster = await KafkaCluster.StartAsync(1);
        await cluster.WaitForRegisteredAsync([1], Generous);
        using var logDir = new TemporaryDirectory();
        const string otherCluster = "AAAAAAAAAAAAAAAAAAAAAA";
        File.WriteAllText(System.IO.Path.Combine(logDir.Path, "meta.properties"), $"version=0\nbroker.id=2\ncluster.id={otherCluster}\n");

        var (exitCode, output) = await RunServerAsync(logDir.Path, "broker.id=2", $"zookeeper.connect={cluster.ZooKeeperConnect}");

        Assert.Equal(1, exitCode);
        Assert.Contains($"doesn't match stored clusterId {otherCluster} in meta.properties", output);
        await cluster.WaitForRegisteredAsync([1], Generous);
    }

    private static Task<(int ExitCode, string Output)> RunServerAsync(string logDir, params string[] overrides) =>
        BrokerProcess.RunToExitAsync(
            ["server", System.IO.Path.Combine(RepositoryPaths.Root, "config", "server.properties"),
             "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={logDir}", "--override", "zookeeper.session.timeout.ms=6000",
             .. overrides.SelectMany(o => new[] { "--override", o })],
            ExitDeadline);

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gregor-refused-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
