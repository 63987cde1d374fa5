using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.ZooKeeper;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>A partition's state znode: leader, leader epoch, ISR, and its zk version (the partition epoch).</summary>
public sealed record PartitionState(int Leader, int LeaderEpoch, IReadOnlyList<int> Isr, int Version)
{
    public override string ToString() => $"leader {Leader} epoch {LeaderEpoch} isr [{string.Join(",", Isr)}] version {Version}";
}

/// <summary>
/// One ZooKeeper (tick 500 ms) and three brokers, each behind its own <see cref="TcpProxy"/>,
/// with short timeouts so that a fault scenario takes seconds: ZooKeeper sessions of 4 s and a
/// replica lag of 2 s (shorter than the session, so a follower frozen past the lag leaves the
/// ISR through its leader's AlterPartition before its registration goes). Shared by the scenarios of the <see cref="ReplicationCollection"/>, which
/// run one after another; each begins with <see cref="ResetAsync"/> (every broker running and
/// registered, ZooKeeper up, proxies healed) and its own topic.
/// </summary>
public sealed class ReplicationCluster : IAsyncLifetime
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    public static readonly int[] Ids = [1, 2, 3];
    public const int SessionTimeoutMs = 4000;
    public const int ReplicaLagTimeMaxMs = 2000;
    private KafkaCluster? _cluster;
    private ZooKeeperClient? _zk;

    public KafkaCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    /// <summary>A ZooKeeper client of the test (its own session of 30 s), reconnected when ZooKeeper was restarted.</summary>
    public ZooKeeperClient ZooKeeper => _zk ?? throw new InvalidOperationException("cluster not started");

    /// <summary>Broker id to log dir, for the checker.</summary>
    public IReadOnlyDictionary<int, string> LogDirs => Ids.ToDictionary(id => id, id => Cluster.Brokers[id].LogDir);

    /// <summary>Every broker through its proxy.</summary>
    public string Bootstrap => string.Join(",", Ids.Select(Cluster.AddressOf));

    public async Task InitializeAsync()
    {
        _cluster = await KafkaCluster.StartAsync(3,
        [
            $"zookeeper.session.timeout.ms={SessionTimeoutMs}",
            $"replica.lag.time.max.ms={ReplicaLagTimeMaxMs}",
            "group.initial.rebalance.delay.ms=0",
            "controlled.shutdown.retry.backoff.ms=500",
            // A deleted topic stays deleted until a scenario creates it again (clients would otherwise recreate it with replication factor 1).
            "auto.create.topics.enable=false",
        ], proxied: true);
        _zk = await _cluster.ConnectZooKeeperAsync();
    }

    public async Task DisposeAsync()
    {
        if (_zk is not null)
        {
            await _zk.DisposeAsync();
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// Brings the cluster to its known state: proxies healed, frozen brokers continued, stopped
    /// brokers started, all three registered and naming each other and a controller.
    /// </summary>
    public async Task ResetAsync()
    {
        foreach (var proxy in Cluster.Proxies.Values)
        {
            proxy.Heal();
        }
        foreach (var id in Ids)
        {
            var broker = Cluster.Brokers[id];
            if (broker.HasExited)
            {
                await Cluster.StartBrokerAsync(id);
            }
            else
            {
                broker.Signal("CONT");
            }
        }
        await Cluster.WaitForRegisteredAsync(Ids, Generous);
        await Cluster.WaitForMetadataAsync(Generous);
    }

    /// <summary>
    /// Creates <paramref name="topic"/> with replication factor 3 and min.insync.replicas=2 and
    /// waits until every partition has a leader and a full ISR in ZooKeeper and every broker's
    /// Metadata shows the leaders.
    /// </summary>
    public async Task CreateTopicAsync(string topic, int partitions = 3)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic,
                NumPartitions = partitions,
                ReplicationFactor = 3,
                Configs = new() { ["min.insync.replicas"] = "2" },
            }]);
        }
        for (var p = 0; p < partitions; p++)
        {
            await WaitForStateAsync(topic, p, s => s.Leader > 0 && s.Isr.Count == 3, "a leader and a full ISR");
        }
        foreach (var id in Ids)
        {
            await Tests.Cluster.ClusterProbe.WaitForLeadersAsync(Cluster.AddressOf(id), topic, partitions);
        }
    }

    /// <summary>A new ZooKeeper client for the test (after ZooKeeper itself was restarted).</summary>
    public async Task ReconnectZooKeeperAsync()
    {
        await ZooKeeper.DisposeAsync();
        _zk = await Cluster.ConnectZooKeeperAsync();
    }

    /// <summary>
    /// Polls the partition's state znode in the background until disposed, keeping every leader
    /// it named with the ISR it had then: a scenario asserts that nobody outside a set ever led.
    /// </summary>
    public StateMonitor Monitor(string topic, int partition) => new(this, topic, partition);

    public async Task<PartitionState?> StateAsync(string topic, int partition)
    {
        try
        {
            var (data, stat) = await ZooKeeper.GetDataAsync($"/brokers/topics/{topic}/partitions/{partition}/state");
            using var json = JsonDocument.Parse(data);
            var root = json.RootElement;
            return new PartitionState(root.GetProperty("leader").GetInt32(), root.GetProperty("leader_epoch").GetInt32(),
                [.. root.GetProperty("isr").EnumerateArray().Select(e => e.GetInt32())], stat.Version);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            return null;
        }
    }

    /// <summary>Waits until the partition's state znode satisfies <paramref name="accept"/>; returns it.</summary>
    public async Task<PartitionState> WaitForStateAsync(string topic, int partition, Func<PartitionState, bool> accept, string what, TimeSpan? timeout = null)
    {
        PartitionState? state = null;
        await WaitUntilAsync(async () => (state = await StateAsync(topic, partition)) is { } s && accept(s),
            () => $"{topic}-{partition} never had {what}: {state?.ToString() ?? "no state znode"}", timeout);
        return state!;
    }

    public async Task<int> LeaderAsync(string topic, int partition) =>
        (await WaitForStateAsync(topic, partition, s => s.Leader > 0, "a leader")).Leader;

    public async Task<int> ControllerAsync()
    {
        int? found = null;
        await WaitUntilAsync(async () => (found = await ControllerIdAsync()) is not null, () => "no /controller");
        return found!.Value;
    }

    private async Task<int?> ControllerIdAsync()
    {
        try
        {
            var (data, _) = await ZooKeeper.GetDataAsync("/controller");
            using var json = JsonDocument.Parse(data);
            return json.RootElement.GetProperty("brokerid").GetInt32();
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            return null;
        }
    }

    /// <summary>Waits until /brokers/ids/<paramref name="id"/> exists (or, with <paramref name="present"/> false, is gone).</summary>
    public Task WaitForRegistrationAsync(int id, bool present) =>
        WaitUntilAsync(async () => await ZooKeeper.ExistsAsync($"/brokers/ids/{id}") is not null == present,
            () => $"/brokers/ids/{id} {(present ? "never appeared" : "never went away")}");

    /// <summary>kill -9 of a broker, then waits until its registration is gone (its session expired).</summary>
    public async Task KillAsync(int id)
    {
        await Cluster.Brokers[id].KillAsync();
        await WaitForRegistrationAsync(id, present: false);
    }

    /// <summary>SIGTERM (controlled shutdown) of a broker; asserts it exits 0.</summary>
    public async Task StopAsync(int id)
    {
        Assert.Equal(0, await Cluster.Brokers[id].StopAsync(Generous));
        await WaitForRegistrationAsync(id, present: false);
    }

    /// <summary>Runs <paramref name="whileFrozen"/> with broker <paramref name="id"/> stopped by SIGSTOP; SIGCONT after it, whatever happens.</summary>
    public async Task WhileFrozenAsync(int id, Func<Task> whileFrozen)
    {
        Cluster.Brokers[id].Signal("STOP");
        try
        {
            await whileFrozen();
        }
        finally
        {
            Cluster.Brokers[id].Signal("CONT");
        }
    }

    /// <summary>Starts a stopped broker with its log dir and waits until it is registered.</summary>
    public async Task StartAsync(int id)
    {
        await Cluster.StartBrokerAsync(id);
        await WaitForRegistrationAsync(id, present: true);
    }

    /// <summary>Waits until every partition of the topic has a full ISR again.</summary>
    public async Task WaitForFullIsrAsync(string topic, int partitions, TimeSpan? timeout = null)
    {
        for (var p = 0; p < partitions; p++)
        {
            await WaitForStateAsync(topic, p, s => s.Leader > 0 && s.Isr.Count == 3, "a full ISR", timeout);
        }
    }

    /// <summary>The high watermark the partition's leader reports (ListOffsets latest through a consumer).</summary>
    public long HighWatermark(string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "unused",
            ClientId = Workload.ClientIdPrefix + "watermarks",
        }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(30)).High.Value;
    }

    /// <summary>The broker's log lines matching <paramref name="pattern"/>, for failure messages.</summary>
    public string LogLines(int id, string pattern) =>
        string.Join("\n", Cluster.Brokers[id].Output.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, pattern)).TakeLast(20));

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(describe());
            }
            await Task.Delay(100);
        }
    }
}

[CollectionDefinition(nameof(ReplicationCollection))]
public sealed class ReplicationCollection : ICollectionFixture<ReplicationCluster>;

/// <summary>Every distinct partition state seen while it runs (see <see cref="ReplicationCluster.Monitor"/>).</summary>
public sealed class StateMonitor : IAsyncDisposable
{
    private readonly List<PartitionState> _seen = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;

    public StateMonitor(ReplicationCluster cluster, string topic, int partition) =>
        _polling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (await cluster.StateAsync(topic, partition) is { } state)
                    {
                        lock (_seen)
                        {
                            if (_seen.Count == 0 || _seen[^1].Version != state.Version)
                            {
                                _seen.Add(state);
                            }
                        }
                    }
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // ZooKeeper away (a scenario may stop it): look again.
                }
            }
        });

    public IReadOnlyList<PartitionState> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _polling;
        _stop.Dispose();
    }
}
