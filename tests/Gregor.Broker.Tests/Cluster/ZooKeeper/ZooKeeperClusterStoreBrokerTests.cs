using System.Text;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Storage;
using Gregor.ZooKeeper;

namespace Gregor.Broker.Tests.Cluster.ZooKeeper;

/// <summary>Registration, cluster id and controller election against a real ZooKeeper server.</summary>
[Collection(ZooKeeperStoreCollection.Name)]
public sealed class ZooKeeperClusterStoreBrokerTests(ZooKeeperStoreFixture fixture)
{
    private static BrokerRegistration Broker(int id, int port, string? rack = null) =>
        new(id, [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", port)], rack, new Dictionary<string, FeatureVersionRange>());

    [Fact]
    public async Task Base_paths_are_kafkas_and_a_registration_is_ephemeral_with_the_czxid_as_broker_epoch()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot());
        var store = zk.Store();

        await store.EnsureBasePathsAsync();
        await store.EnsureBasePathsAsync(); // idempotent
        var epoch = await store.RegisterBrokerAsync(Broker(1, 9092, "r1"));

        foreach (var path in new[] { "/brokers/ids", "/brokers/topics", "/brokers/seqid", "/config/topics", "/config/brokers", "/config/changes", "/admin/delete_topics", "/isr_change_notification", "/latest_producer_id_block" })
        {
            Assert.NotNull(await zk.ExistsAsync(path));
        }
        var (data, stat) = await zk.GetDataAsync("/brokers/ids/1");
        Assert.Equal(zk.SessionId, stat.EphemeralOwner);
        Assert.Equal(stat.Czxid, epoch);
        Assert.StartsWith("""{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:9092"],"rack":"r1","jmx_port":-1,"port":9092,"host":"127.0.0.1","version":5,"timestamp":""", Encoding.UTF8.GetString(data));
        Assert.Equal(epoch, await store.RegisterBrokerAsync(Broker(1, 9092, "r1"))); // same session: same node

        var brokers = await store.GetBrokersAsync();
        var broker = Assert.Single(brokers);
        Assert.Equal((1, epoch, "r1"), (broker.Registration.BrokerId, broker.BrokerEpoch, broker.Registration.Rack));
    }

    [Fact]
    public async Task A_broker_id_held_by_another_live_session_is_refused_naming_the_id()
    {
        var chroot = ZooKeeperStoreFixture.NewChroot();
        var first = await fixture.ConnectAsync(chroot);
        await using var second = await fixture.ConnectAsync(chroot);
        await first.Store().EnsureBasePathsAsync();
        var firstEpoch = await first.Store().RegisterBrokerAsync(Broker(5, 9092));

        var e = await Assert.ThrowsAsync<BrokerIdInUseException>(() => second.Store().RegisterBrokerAsync(Broker(5, 9093)));
        Assert.Contains("broker.id 5", e.Message);
        Assert.Equal(5, e.BrokerId);

        // Once the first session has closed, its node is gone and the id can be registered again, with a larger epoch.
        await first.DisposeAsync();
        var secondEpoch = await second.Store().RegisterBrokerAsync(Broker(5, 9093));
        Assert.True(secondEpoch > firstEpoch);
        Assert.Equal(9093, Assert.Single(await second.Store().GetBrokersAsync()).Registration.Endpoints[0].Port);
    }

    [Fact]
    public async Task A_malformed_registration_is_logged_with_its_path_and_skipped()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot());
        var logger = new ListLogger();
        var store = zk.Store(logger);
        await store.EnsureBasePathsAsync();
        await store.RegisterBrokerAsync(Broker(1, 9092));
        await zk.CreateAsync("/brokers/ids/2", Encoding.UTF8.GetBytes("{not json"), CreateMode.Ephemeral);
        await zk.CreateAsync("/brokers/ids/x", Encoding.UTF8.GetBytes("{}"), CreateMode.Ephemeral);

        var brokers = await store.GetBrokersAsync();

        Assert.Equal(1, Assert.Single(brokers).Registration.BrokerId);
        Assert.Contains(logger.Lines, l => l.Contains("/brokers/ids/2") && l.Contains("invalid JSON"));
        Assert.Contains(logger.Lines, l => l.Contains("/brokers/ids/x"));
    }

    [Fact]
    public async Task Cluster_id_is_created_once_in_kafkas_json()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot());

        Assert.Equal("aaaaaaaaaaaaaaaaaaaaaa", await zk.Store().GetOrCreateClusterIdAsync("aaaaaaaaaaaaaaaaaaaaaa"));
        Assert.Equal("aaaaaaaaaaaaaaaaaaaaaa", await zk.Store().GetOrCreateClusterIdAsync("bbbbbbbbbbbbbbbbbbbbbb"));
        Assert.Equal("""{"version":"1","id":"aaaaaaaaaaaaaaaaaaaaaa"}""", Encoding.UTF8.GetString((await zk.GetDataAsync("/cluster/id")).Data));
    }

    [Fact]
    public async Task One_controller_at_a_time_and_a_deposed_controllers_writes_fail()
    {
        var chroot = ZooKeeperStoreFixture.NewChroot();
        await using var a = await fixture.ConnectAsync(chroot);
        await using var b = await fixture.ConnectAsync(chroot);
        var storeA = a.Store();
        var storeB = b.Store();
        await storeA.EnsureBasePathsAsync();

        var fenceA = await storeA.TryElectControllerAsync(1);
        Assert.NotNull(fenceA);
        Assert.Equal(1, fenceA.Epoch);
        Assert.Null(await storeB.TryElectControllerAsync(2));
        Assert.Equal(1, await storeB.GetControllerIdAsync());
        Assert.Equal("1", Encoding.UTF8.GetString((await a.GetDataAsync("/controller_epoch")).Data));
        Assert.Contains("\"brokerid\":1", Encoding.UTF8.GetString((await a.GetDataAsync("/controller")).Data));

        await storeA.CreateTopicAsync("t", new TopicAssignment(new Gregor.Protocol.Wire.Uuid(1, 1), new Dictionary<int, PartitionReplicas> { [0] = new([1]) }),
            new Dictionary<string, string>());
        var tp = new TopicPartition("t", 0);
        var created = Assert.Single(await storeA.CreatePartitionStatesAsync(fenceA, [(tp, new LeaderAndIsr(1, 0, [1]))]));
        Assert.Equal(ZkErrorCode.Ok, created.Error);

        // A is deposed (as when its session expires and /controller goes away) and B takes over with epoch 2.
        await a.DeleteAsync("/controller");
        var fenceB = await storeB.TryElectControllerAsync(2);
        Assert.Equal(2, fenceB!.Epoch);

        await Assert.ThrowsAsync<ControllerMovedException>(() =>
            storeA.UpdatePartitionStatesAsync(fenceA, [(tp, new LeaderAndIsr(2, 1, [1]))]));
        var state = (await storeB.GetPartitionStatesAsync([tp]))[tp];
        Assert.Equal((1, 0, 1), (state.LeaderAndIsr.Leader, state.LeaderAndIsr.LeaderEpoch, state.ControllerEpoch));

        var written = Assert.Single(await storeB.UpdatePartitionStatesAsync(fenceB, [(tp, state.LeaderAndIsr with { LeaderEpoch = 1 })]));
        Assert.Equal(ZkErrorCode.Ok, written.Error);
        Assert.Equal(1, written.Written!.PartitionEpoch);
        Assert.Equal(2, (await storeB.GetPartitionStatesAsync([tp]))[tp].ControllerEpoch);
    }
}
