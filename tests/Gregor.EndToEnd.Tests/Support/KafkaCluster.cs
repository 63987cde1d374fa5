using Gregor.ZooKeeper;
using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>
/// A real cluster for end-to-end tests: one ZooKeeper server and <c>N</c> `gregor server`
/// processes with broker ids 1..N, each on its own free loopback port and temporary log dir,
/// coordinated under the chroot /gregor. Brokers can be killed, stopped and restarted with their
/// log dirs kept; everything is stopped and removed on dispose. With <c>proxied</c>, broker N
/// listens behind its own <see cref="TcpProxy"/> and advertises the proxy, so every client and
/// broker-to-broker connection to it goes through the proxy (which a test can cut, delay or pause).
/// </summary>
public sealed class KafkaCluster : IAsyncDisposable
{
    public const string Chroot = "/gregor";
    private readonly Dictionary<int, BrokerProcess> _brokers = [];
    private readonly Dictionary<int, string> _logDirs = [];
    private readonly Dictionary<int, TcpProxy> _proxies = [];
    private readonly IReadOnlyList<string> _overrides;
    private readonly bool _proxied;

    private KafkaCluster(ZooKeeperProcess zooKeeper, IReadOnlyList<string> overrides, bool proxied)
    {
        ZooKeeper = zooKeeper;
        _overrides = overrides;
        _proxied = proxied;
    }

    public ZooKeeperProcess ZooKeeper { get; }

    /// <summary>zookeeper.connect of the brokers, chroot included.</summary>
    public string ZooKeeperConnect => ZooKeeper.ConnectString + Chroot;

    public IReadOnlyDictionary<int, BrokerProcess> Brokers => _brokers;

    /// <summary>The proxy in front of each broker (empty unless the cluster is proxied).</summary>
    public IReadOnlyDictionary<int, TcpProxy> Proxies => _proxies;

    /// <summary>The address clients reach broker <paramref name="id"/> at: its proxy when proxied.</summary>
    public string AddressOf(int id) => _proxies.TryGetValue(id, out var proxy) ? $"127.0.0.1:{proxy.Port}" : _brokers[id].BootstrapServers;

    public string BootstrapServers => string.Join(",", _brokers.Where(b => !b.Value.HasExited).Select(b => AddressOf(b.Key)));

    /// <summary>
    /// Starts ZooKeeper (tick 500 ms, so sessions down to 1 s) and brokers 1..<paramref name="brokers"/>;
    /// <paramref name="overrides"/> come last (so they may replace the 6 s session timeout).
    /// </summary>
    public static async Task<KafkaCluster> StartAsync(int brokers, IEnumerable<string>? overrides = null, bool proxied = false)
    {
        var zooKeeper = await ZooKeeperProcess.StartAsync();
        var cluster = new KafkaCluster(zooKeeper, [.. overrides ?? []], proxied);
        try
        {
            await Task.WhenAll(Enumerable.Range(1, brokers).Select(cluster.StartBrokerAsync));
            await cluster.WaitForRegisteredAsync([.. Enumerable.Range(1, brokers)], TimeSpan.FromSeconds(90));
            await cluster.WaitForMetadataAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts broker <paramref name="id"/> (again, with its log dir when it ran before).</summary>
    public async Task<BrokerProcess> StartBrokerAsync(int id)
    {
        if (!_logDirs.TryGetValue(id, out var logDir))
        {
            _logDirs[id] = logDir = Directory.CreateTempSubdirectory($"gregor-cluster-{id}-").FullName;
        }
        if (_brokers.Remove(id, out var old))
        {
            await old.DisposeAsync();
        }
        List<string> overrides = [$"broker.id={id}", $"zookeeper.connect={ZooKeeperConnect}", "zookeeper.session.timeout.ms=6000"];
        TcpProxy? proxy = null;
        if (_proxied)
        {
            if (!_proxies.TryGetValue(id, out proxy))
            {
                _proxies[id] = proxy = new TcpProxy();
            }
            // Nothing reaches the broker through the proxy until it listens on its new port.
            proxy.TargetPort = 0;
            overrides.Add($"advertised.listeners=PLAINTEXT://127.0.0.1:{proxy.Port}");
        }
        var broker = await BrokerProcess.StartAsync([.. overrides, .. _overrides], logDir: logDir);
        _brokers[id] = broker;
        proxy?.TargetPort = broker.Port;
        return broker;
    }

    /// <summary>A client of the cluster's ZooKeeper under its chroot, for tests to look at the znodes.</summary>
    public Task<ZooKeeperClient> ConnectZooKeeperAsync() =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = ZooKeeperConnect, SessionTimeout = TimeSpan.FromSeconds(30) });

    /// <summary>Waits until /brokers/ids lists exactly <paramref name="ids"/>.</summary>
    public async Task WaitForRegisteredAsync(IReadOnlyCollection<int> ids, TimeSpan timeout)
    {
        await using var zk = await ConnectZooKeeperAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (children, _) = await zk.GetChildrenAsync("/brokers/ids");
            if (children.Select(int.Parse).Order().SequenceEqual(ids.Order()))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/brokers/ids is [{string.Join(",", children)}], expected [{string.Join(",", ids)}]");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until every running broker's Metadata lists all of them and names a controller among
    /// them: the controller has sent each broker the cluster (UpdateMetadata), so a client
    /// bootstrapping through any broker finds the brokers and the controller. Until then a broker
    /// answers with what it knows, which may be nothing yet.
    /// </summary>
    public async Task WaitForMetadataAsync(TimeSpan timeout)
    {
        var running = _brokers.Where(b => !b.Value.HasExited).ToList();
        var ids = running.Select(b => b.Key).Order().ToList();
        var deadline = DateTime.UtcNow + timeout;
        foreach (var (id, broker) in running)
        {
            while (true)
            {
                var metadata = await Admin.AdminClients.RoundTripAsync<Gregor.Protocol.Messages.MetadataRequest, Gregor.Protocol.Messages.MetadataResponse>(
                    broker.Port, new Gregor.Protocol.Messages.MetadataRequest { Topics = [] }, version: 12);
                var listed = metadata.Brokers.Select(b => b.NodeId).Order().ToList();
                if (listed.SequenceEqual(ids) && ids.Contains(metadata.ControllerId))
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"broker {id} lists brokers [{string.Join(",", listed)}] and controller {metadata.ControllerId}, expected [{string.Join(",", ids)}]");
                }
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var broker in _brokers.Values)
        {
            await broker.DisposeAsync();
        }
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync();
        }
        await ZooKeeper.DisposeAsync();
        foreach (var dir in _logDirs.Values)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
