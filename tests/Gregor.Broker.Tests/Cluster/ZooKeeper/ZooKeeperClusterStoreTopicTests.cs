using System.Text;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Gregor.ZooKeeper;

namespace Gregor.Broker.Tests.Cluster.ZooKeeper;

/// <summary>Topics, partition states, configs and producer id blocks against a real ZooKeeper server.</summary>
[Collection(ZooKeeperStoreCollection.Name)]
public sealed class ZooKeeperClusterStoreTopicTests(ZooKeeperStoreFixture fixture)
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task<(ZooKeeperClusterStore Store, ControllerEpoch Fence)> ControllerAsync(ZooKeeperClient zk, ListLogger? logger = null)
    {
        var store = zk.Store(logger);
        await store.EnsureBasePathsAsync();
        return (store, (await store.TryElectControllerAsync(1))!);
    }

    [Fact]
    public async Task A_topic_written_by_hand_in_kafkas_format_is_read_back_and_a_malformed_one_is_skipped()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot());
        var logger = new ListLogger();
        var (store, _) = await ControllerAsync(zk, logger);
        await zk.CreateAsync("/brokers/topics/kafka", Utf8("""{"partitions":{"0":[1,2],"1":[2,1]},"removing_replicas":{},"topic_id":"AAAAAAAAAAEAAAAAAAAAAg","adding_replicas":{},"version":3}"""));
        await zk.EnsurePathAsync("/brokers/topics/kafka/partitions/1");
        await zk.CreateAsync("/brokers/topics/kafka/partitions/1/state", Utf8("""{"controller_epoch":3,"leader":2,"version":1,"leader_epoch":7,"isr":[2,1]}"""));
        await zk.CreateAsync("/brokers/topics/old", Utf8("""{"version":1,"partitions":{"0":[3]}}"""));
        await zk.CreateAsync("/brokers/topics/broken", Utf8("""{"version":3,"partitions":{"0":"one"}}"""));

        var names = await store.GetTopicNamesAsync();
        var topics = await store.GetTopicAssignmentsAsync(names);

        Assert.Equal(["broken", "kafka", "old"], names.Order());
        Assert.Equal(["kafka", "old"], topics.Keys.Order());
        Assert.Equal(new Uuid(1, 2), topics["kafka"].Assignment.TopicId);
        Assert.Equal([2, 1], topics["kafka"].Assignment.Partitions[1].Replicas);
        Assert.Null(topics["old"].Assignment.TopicId);
        Assert.Contains(logger.Lines, l => l.Contains("/brokers/topics/broken") && l.Contains("not an array"));
        var state = (await store.GetPartitionStatesAsync([new TopicPartition("kafka", 1), new TopicPartition("kafka", 0)]));
        var one = Assert.Single(state);
        Assert.Equal((2, 7, 3, 0), (one.Value.LeaderAndIsr.Leader, one.Value.LeaderAndIsr.LeaderEpoch, one.Value.ControllerEpoch, one.Value.LeaderAndIsr.PartitionEpoch));
    }

    [Fact]
    public async Task A_thousand_partition_states_are_created_read_and_updated_in_batches()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot(), maxInFlight: 100);
        var (store, fence) = await ControllerAsync(zk);
        var assignment = ReplicaAssignment.Assign([new BrokerRack(1, null), new BrokerRack(2, null), new BrokerRack(3, null)], 1000, 2, new Random(7)).Assignment!;
        Assert.True(await store.CreateTopicAsync("big", new TopicAssignment(Uuid.NewRandom(),
            assignment.ToDictionary(p => p.Key, p => new PartitionReplicas(p.Value))), new Dictionary<string, string> { ["retention.ms"] = "1000" }));
        var partitions = Enumerable.Range(0, 1000).Select(p => new TopicPartition("big", p)).ToList();
        var live = new HashSet<int> { 1, 2, 3 };

        var created = await store.CreatePartitionStatesAsync(fence,
            partitions.Select(tp => (tp, LeaderElection.ForNewPartition(assignment[tp.Partition], live)!)).ToList());
        Assert.All(created, w => Assert.Equal(ZkErrorCode.Ok, w.Error));

        var states = await store.GetPartitionStatesAsync(partitions);
        Assert.Equal(1000, states.Count);
        Assert.All(partitions, tp => Assert.Equal(assignment[tp.Partition][0], states[tp].LeaderAndIsr.Leader));
        Assert.All(states.Values, s => Assert.Equal((0, 1), (s.LeaderAndIsr.PartitionEpoch, s.ControllerEpoch)));

        var moved = partitions.Select(tp => (tp, LeaderElection.RemoveReplicaFromIsr(states[tp].LeaderAndIsr, assignment[tp.Partition][0])!)).ToList();
        var updated = await store.UpdatePartitionStatesAsync(fence, moved);
        Assert.All(updated, w => Assert.Equal(1, w.Written!.PartitionEpoch));
        Assert.All((await store.GetPartitionStatesAsync(partitions)).Values, s => Assert.Equal(LeaderAndIsr.NoLeader, s.LeaderAndIsr.Leader));

        // A write at a stale partition epoch (the leader changed the ISR in between) is refused, not applied.
        var stale = Assert.Single(await store.UpdatePartitionStatesAsync(fence, [moved[0]]));
        Assert.Equal(ZkErrorCode.BadVersion, stale.Error);
        // Creating an existing state says so.
        Assert.Equal(ZkErrorCode.NodeExists, Assert.Single(await store.CreatePartitionStatesAsync(fence, [moved[0]])).Error);

        // In one batch (one multi) the stale writes fail alone and the rest are written.
        var current = await store.GetPartitionStatesAsync(partitions);
        var mixed = partitions.Select(tp => (tp, current[tp].LeaderAndIsr with { PartitionEpoch = tp.Partition % 100 == 7 ? 0 : 1 })).ToList();
        var outcome = await store.UpdatePartitionStatesAsync(fence, mixed);
        Assert.All(outcome, w => Assert.Equal(w.Partition.Partition % 100 == 7 ? ZkErrorCode.BadVersion : ZkErrorCode.Ok, w.Error));
        Assert.Equal(990, (await store.GetPartitionStatesAsync(partitions)).Values.Count(s => s.LeaderAndIsr.PartitionEpoch == 2));
    }

    [Fact]
    public async Task Topics_are_created_once_extended_with_partitions_and_deleted_through_the_marker()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot());
        var (store, fence) = await ControllerAsync(zk);
        var id = Uuid.NewRandom();
        var topic = new TopicAssignment(id, new Dictionary<int, PartitionReplicas> { [0] = new([1]) });

        Assert.True(await store.CreateTopicAsync("t", topic, new Dictionary<string, string> { ["cleanup.policy"] = "compact" }));
        Assert.False(await store.CreateTopicAsync("t", topic, new Dictionary<string, string>()));
        Assert.Equal("""{"version":1,"config":{"cleanup.policy":"compact"}}""", Encoding.UTF8.GetString((await zk.GetDataAsync("/config/topics/t")).Data));
        Assert.Equal("compact", (await store.GetEntityConfigAsync(ConfigTypes.Topics, "t"))["cleanup.policy"]);

        Assert.True(await store.AddPartitionsAsync("t", new Dictionary<int, IReadOnlyList<int>> { [1] = [2], [2] = [1] }));
        var read = (await store.GetTopicAssignmentsAsync(["t"]))["t"];
        Assert.Equal(id, read.Assignment.TopicId);
        Assert.Equal([0, 1, 2], read.Assignment.Partitions.Keys.Order());
        Assert.Null(await store.SetTopicAssignmentAsync("t", read.Assignment, read.ZkVersion - 1));
        Assert.False(await store.AddPartitionsAsync("missing", new Dictionary<int, IReadOnlyList<int>> { [0] = [1] }));

        await store.CreatePartitionStatesAsync(fence, [(new TopicPartition("t", 0), new LeaderAndIsr(1, 0, [1]))]);
        await store.MarkTopicForDeletionAsync("t");
        await store.MarkTopicForDeletionAsync("t");
        Assert.Equal(["t"], await store.GetTopicsMarkedForDeletionAsync());

        await store.DeleteTopicAsync(fence, "t");

        Assert.Null(await zk.ExistsAsync("/brokers/topics/t"));
        Assert.Null(await zk.ExistsAsync("/config/topics/t"));
        Assert.Empty(await store.GetTopicsMarkedForDeletionAsync());
        Assert.Empty(await store.GetTopicNamesAsync());
        // The topic can be created again afterwards.
        Assert.True(await store.CreateTopicAsync("t", topic, new Dictionary<string, string>()));
    }

    [Fact]
    public async Task A_config_change_is_written_and_announced_with_a_version_2_notification()
    {
        await using var zk = await fixture.ConnectAsync(ZooKeeperStoreFixture.NewChroot());
        var store = zk.Store();
        await store.EnsureBasePathsAsync();

        await store.SetEntityConfigAsync(ConfigTypes.Brokers, ConfigTypes.DefaultEntity, new Dictionary<string, string> { ["log.retention.ms"] = "5" });
        await store.SetEntityConfigAsync(ConfigTypes.Topics, "t", new Dictionary<string, string> { ["retention.ms"] = "7" });

        Assert.Equal("5", (await store.GetEntityConfigAsync(ConfigTypes.Brokers, "<default>"))["log.retention.ms"]);
        Assert.Empty(await store.GetEntityConfigAsync(ConfigTypes.Users, "nobody"));
        var changes = await store.GetConfigChangesAsync();
        Assert.Equal(["config_change_0000000000", "config_change_0000000001"], changes);
        Assert.Equal("""{"version":2,"entity_path":"brokers/<default>"}""", Encoding.UTF8.GetString((await zk.GetDataAsync("/config/changes/" + changes[0])).Data));
        Assert.Equal(new ConfigEntity("topics", "t"), await store.GetConfigChangeAsync(changes[1]));
    }

    [Fact]
    public async Task Producer_id_blocks_taken_by_brokers_at_once_never_overlap()
    {
        var chroot = ZooKeeperStoreFixture.NewChroot();
        await using var a = await fixture.ConnectAsync(chroot);
        await using var b = await fixture.ConnectAsync(chroot);
        await a.Store().EnsureBasePathsAsync();

        var taking = Enumerable.Range(0, 10).SelectMany(_ => new[] { a.Store().AllocateProducerIdBlockAsync(1), b.Store().AllocateProducerIdBlockAsync(2) });
        var blocks = (await Task.WhenAll(taking)).OrderBy(x => x.FirstProducerId).ToList();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 1000L), blocks.Select(x => x.FirstProducerId));
        Assert.All(blocks, x => Assert.Equal(999, x.LastProducerId - x.FirstProducerId));
        Assert.Equal(10, blocks.Count(x => x.BrokerId == 1));
        Assert.Equal("""{"version":1,"broker":""" + blocks[^1].BrokerId + ""","block_start":"19000","block_end":"19999"}""",
            Encoding.UTF8.GetString((await a.GetDataAsync("/latest_producer_id_block")).Data));
    }
}
