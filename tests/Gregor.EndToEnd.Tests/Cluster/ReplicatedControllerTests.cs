using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.ZooKeeper;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// The controller's side of replication factor 3, on three broker processes: AlterPartition sent
/// raw as a partition leader would (ISR in ZooKeeper and in every broker's Metadata, and each
/// refusal's error code), a failed preferred leader leaving the ISR with leadership moving to the
/// next ISR replica in assignment order under a new leader epoch, ElectLeaders through
/// Confluent.Kafka's admin client, and the automatic rebalance giving the leadership back.
/// These look at the controller's decisions (znodes, Metadata), not at replicated data.
/// </summary>
public sealed class ReplicatedControllerTests
{
    private const string Topic = "rf3";

    private sealed record State(int Leader, int LeaderEpoch, int[] Isr, int Version);

    private static async Task<State> StateAsync(ZooKeeperClient zk)
    {
        var (data, stat) = await zk.GetDataAsync($"/brokers/topics/{Topic}/partitions/0/state");
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        return new State(root.GetProperty("leader").GetInt32(), root.GetProperty("leader_epoch").GetInt32(),
            [.. root.GetProperty("isr").EnumerateArray().Select(e => e.GetInt32())], stat.Version);
    }

    private static async Task<State> WaitForStateAsync(ZooKeeperClient zk, Func<State, bool> accept)
    {
        State? seen = null;
        await WaitUntilAsync(async () => accept(seen = await StateAsync(zk)),
            () => Task.FromResult($"{Topic}-0 state: {seen}"));
        return seen!;
    }

    private static async Task<long> BrokerEpochAsync(ZooKeeperClient zk, int id) => (await zk.ExistsAsync($"/brokers/ids/{id}"))!.Czxid;

    private static Task<AlterPartitionResponse> AlterPartitionAsync(BrokerProcess to, int sender, long brokerEpoch, int leaderEpoch, int partitionEpoch, params int[] isr) =>
        AdminClients.RoundTripAsync<AlterPartitionRequest, AlterPartitionResponse>(to.Port, new AlterPartitionRequest
        {
            BrokerId = sender,
            BrokerEpoch = brokerEpoch,
            Topics =
            [
                new AlterPartitionRequest.TopicData
                {
                    TopicName = Topic,
                    Partitions = [new AlterPartitionRequest.PartitionData { PartitionIndex = 0, LeaderEpoch = leaderEpoch, NewIsr = [.. isr], PartitionEpoch = partitionEpoch }],
                },
            ],
        }, 1);

    private static short PartitionError(AlterPartitionResponse response) => response.Topics.Single().Partitions.Single().ErrorCode;

    private static Task WaitForIsrEverywhereAsync(KafkaCluster cluster, params int[] isr) =>
        Task.WhenAll(cluster.Brokers.Values.Where(b => !b.HasExited).Select(b =>
            WaitForMetadataAsync(b.BootstrapServers, Topic, t => t.Partitions.Single().InSyncReplicas.SequenceEqual(isr))));

    private static async Task<List<TopicPartitionError>> ElectPreferredAsync(string bootstrap)
    {
        using var admin = AdminClients.Create(bootstrap);
        try
        {
            return (await admin.ElectLeadersAsync(ElectionType.Preferred, [new TopicPartition(Topic, 0)])).TopicPartitions;
        }
        catch (ElectLeadersException e)
        {
            return e.Results.TopicPartitions;
        }
    }

    [Fact]
    public async Task AlterPartition_changes_the_isr_through_the_controller_and_refuses_stale_or_foreign_proposals()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controllerId = await WaitForControllerAsync(zk);
        foreach (var broker in cluster.Brokers.Values)
        {
            await WaitForNamedControllerAsync(broker.Port, controllerId);
        }
        var controller = cluster.Brokers[controllerId];
        var other = cluster.Brokers[controllerId % 3 + 1];
        await Tools.ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", Topic, "--replica-assignment", "1:2:3"]);
        await WaitForIsrEverywhereAsync(cluster, 1, 2, 3);
        var created = await WaitForStateAsync(zk, s => s.Leader == 1);
        Assert.Equal((1, 0, 0), (created.Leader, created.LeaderEpoch, created.Version));
        Assert.Equal([1, 2, 3], created.Isr);
        var epoch1 = await BrokerEpochAsync(zk, 1);

        Assert.Equal((short)Protocol.Errors.ErrorCode.NotController, (await AlterPartitionAsync(other, 1, epoch1, 0, 0, 1, 2)).ErrorCode);
        Assert.Equal((short)Protocol.Errors.ErrorCode.StaleBrokerEpoch, (await AlterPartitionAsync(controller, 1, epoch1 - 1, 0, 0, 1, 2)).ErrorCode);
        Assert.Equal((short)Protocol.Errors.ErrorCode.NotLeaderOrFollower, PartitionError(await AlterPartitionAsync(controller, 2, await BrokerEpochAsync(zk, 2), 0, 0, 1, 2)));

        var shrunk = await AlterPartitionAsync(controller, 1, epoch1, 0, 0, 1, 2);
        Assert.Equal(0, shrunk.ErrorCode);
        var answered = shrunk.Topics.Single().Partitions.Single();
        Assert.Equal((0, 1, 0, 1), (answered.ErrorCode, answered.LeaderId, answered.LeaderEpoch, answered.PartitionEpoch));
        Assert.Equal([1, 2], answered.Isr);
        var written = await StateAsync(zk);
        Assert.Equal((1, 0, 1), (written.Leader, written.LeaderEpoch, written.Version));
        Assert.Equal([1, 2], written.Isr);
        await WaitForIsrEverywhereAsync(cluster, 1, 2);

        // Sent again with the old partition epoch: already the state, answered with it.
        Assert.Equal(0, PartitionError(await AlterPartitionAsync(controller, 1, epoch1, 0, 0, 1, 2)));
        Assert.Equal((short)Protocol.Errors.ErrorCode.InvalidUpdateVersion, PartitionError(await AlterPartitionAsync(controller, 1, epoch1, 0, 0, 1)));
        Assert.Equal((short)Protocol.Errors.ErrorCode.FencedLeaderEpoch, PartitionError(await AlterPartitionAsync(controller, 1, epoch1, 1, 1, 1)));
        Assert.Equal((short)Protocol.Errors.ErrorCode.IneligibleReplica, PartitionError(await AlterPartitionAsync(controller, 1, epoch1, 0, 1, 1, 2, 4)));
        Assert.Equal((short)Protocol.Errors.ErrorCode.IneligibleReplica, PartitionError(await AlterPartitionAsync(controller, 1, epoch1, 0, 1, 2, 3)));
        var unchanged = await StateAsync(zk);
        Assert.Equal((1, 0, 1), (unchanged.Leader, unchanged.LeaderEpoch, unchanged.Version));
        Assert.Equal([1, 2], unchanged.Isr);

        // The ISR grows back the same way.
        Assert.Equal(0, PartitionError(await AlterPartitionAsync(controller, 1, epoch1, 0, 1, 1, 2, 3)));
        await WaitForIsrEverywhereAsync(cluster, 1, 2, 3);
    }

    [Fact]
    public async Task A_failed_preferred_leader_leaves_the_isr_and_regains_leadership_by_ElectLeaders_once_back_in_sync()
    {
        await using var cluster = await KafkaCluster.StartAsync(3, ["auto.leader.rebalance.enable=false"]);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controllerId = await WaitForControllerAsync(zk);
        var (preferred, second, third) = Order(controllerId);
        await Tools.ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", Topic, "--replica-assignment", $"{preferred}:{second}:{third}"]);
        await WaitForStateAsync(zk, s => s.Leader == preferred);
        var controller = cluster.Brokers[controllerId];
        await WaitForNamedControllerAsync(controller.Port, controllerId);

        await cluster.Brokers[preferred].KillAsync();
        var failedOver = await WaitForStateAsync(zk, s => s.Leader != preferred);
        Assert.Equal((second, 1), (failedOver.Leader, failedOver.LeaderEpoch));
        Assert.Equal([second, third], failedOver.Isr.Order());
        await WaitForMetadataAsync(controller.BootstrapServers, Topic, t => t.Partitions.Single().Leader == second);

        await cluster.StartBrokerAsync(preferred);
        await WaitForBrokerNodeAsync(zk, preferred, present: true);
        await WaitForLiveAsync(controller.BootstrapServers, preferred);
        var notInSync = Assert.Single(await ElectPreferredAsync(controller.BootstrapServers));
        Assert.Equal(ErrorCode.PreferredLeaderNotAvailable, notInSync.Error.Code);

        // The leader takes the returned replica back into the ISR, as it does once the replica caught up.
        var state = await StateAsync(zk);
        Assert.Equal(0, PartitionError(await AlterPartitionAsync(controller, second, await BrokerEpochAsync(zk, second), state.LeaderEpoch, state.Version, [.. state.Isr, preferred])));
        await WaitForMetadataAsync(controller.BootstrapServers, Topic, t => t.Partitions.Single().InSyncReplicas.Contains(preferred));

        var elected = Assert.Single(await ElectPreferredAsync(controller.BootstrapServers));
        Assert.Equal(ErrorCode.NoError, elected.Error.Code);
        var back = await StateAsync(zk);
        Assert.Equal((preferred, 2), (back.Leader, back.LeaderEpoch));
        foreach (var broker in cluster.Brokers.Values)
        {
            await WaitForMetadataAsync(broker.BootstrapServers, Topic, t => t.Partitions.Single().Leader == preferred);
        }
        Assert.Equal(ErrorCode.ElectionNotNeeded, Assert.Single(await ElectPreferredAsync(controller.BootstrapServers)).Error.Code);

        Assert.Equal(ErrorCode.NotController, Assert.Single(await ElectPreferredRawAsync(cluster.Brokers[second].Port)));
    }

    [Fact]
    public async Task The_controller_gives_leadership_back_to_the_preferred_replica_once_it_is_in_sync_again()
    {
        await using var cluster = await KafkaCluster.StartAsync(3, ["leader.imbalance.check.interval.seconds=1"]);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controllerId = await WaitForControllerAsync(zk);
        var (preferred, second, third) = Order(controllerId);
        await Tools.ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", Topic, "--replica-assignment", $"{preferred}:{second}:{third}"]);
        await WaitForStateAsync(zk, s => s.Leader == preferred);

        await cluster.Brokers[preferred].KillAsync();
        await WaitForStateAsync(zk, s => s.Leader == second && !s.Isr.Contains(preferred));
        await cluster.StartBrokerAsync(preferred);
        await WaitForBrokerNodeAsync(zk, preferred, present: true);
        await WaitForLiveAsync(cluster.Brokers[controllerId].BootstrapServers, preferred);

        var state = await StateAsync(zk);
        Assert.Equal(second, state.Leader);
        Assert.Equal(0, PartitionError(await AlterPartitionAsync(cluster.Brokers[controllerId], second, await BrokerEpochAsync(zk, second), state.LeaderEpoch, state.Version, [.. state.Isr, preferred])));
        var rebalanced = await WaitForStateAsync(zk, s => s.Leader == preferred);
        Assert.Equal(state.LeaderEpoch + 1, rebalanced.LeaderEpoch);
    }

    /// <summary>The two brokers that are not controller first (the preferred one is killed), then the controller.</summary>
    private static (int Preferred, int Second, int Third) Order(int controller)
    {
        var others = new[] { 1, 2, 3 }.Where(id => id != controller).ToArray();
        return (others[0], others[1], controller);
    }

    /// <summary>Waits until the broker's Metadata lists broker <paramref name="id"/> (the controller has taken it in).</summary>
    private static async Task WaitForLiveAsync(string bootstrap, int id)
    {
        using var admin = AdminClients.Create(bootstrap);
        await WaitUntilAsync(() => Task.FromResult(admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Any(b => b.BrokerId == id)),
            () => Task.FromResult($"{bootstrap} does not list broker {id}"));
    }

    private static async Task<List<ErrorCode>> ElectPreferredRawAsync(int port)
    {
        var response = await AdminClients.RoundTripAsync<ElectLeadersRequest, ElectLeadersResponse>(port, new ElectLeadersRequest
        {
            ElectionType = 0,
            TopicPartitions = [new ElectLeadersRequest.TopicPartitionsData { Topic = Topic, Partitions = [0] }],
        }, 2);
        return [.. response.ReplicaElectionResults.SelectMany(r => r.PartitionResult).Select(p => (ErrorCode)p.ErrorCode)];
    }
}
