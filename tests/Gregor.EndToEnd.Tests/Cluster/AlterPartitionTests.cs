using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;
using static Gregor.EndToEnd.Tests.Cluster.ReplicatedTopicProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// AlterPartition sent by hand to the controller of three brokers, as a partition leader sends
/// it: the controller refuses it from a broker that is not controller, for a stale broker epoch,
/// from a broker that does not lead, under another leader epoch or partition epoch, or naming a
/// replica that cannot be in the ISR; it accepts a shrink and an expansion (by topic name and by
/// topic id), each stored in ZooKeeper with the next partition epoch and shown in every broker's
/// Metadata.
/// </summary>
public sealed class AlterPartitionTests
{
    private const string Topic = "alter-isr";

    [Fact]
    public async Task The_controller_checks_each_proposed_isr_and_stores_and_publishes_the_accepted_ones()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var other = new[] { 1, 2, 3 }.First(id => id != controller);
        await CreateReplicatedTopicAsync(cluster, Topic, "1:2:3");
        await WaitForIsrEverywhereAsync(cluster, Topic, 0, 1, 1, 2, 3);
        var initial = await StateAsync(zk, Topic, 0);
        var epoch1 = await BrokerEpochAsync(zk, 1);
        var epoch2 = await BrokerEpochAsync(zk, 2);
        var controllerPort = cluster.Brokers[controller].Port;

        Task<AlterPartitionResponse> SendAsync(int port, int broker, long brokerEpoch, int leaderEpoch, int partitionEpoch, params int[] isr) =>
            AdminClients.RoundTripAsync<AlterPartitionRequest, AlterPartitionResponse>(port, Request(broker, brokerEpoch, leaderEpoch, partitionEpoch, isr), 1);

        async Task<AlterPartitionResponse.PartitionData> PartitionAnswerAsync(int broker, long brokerEpoch, int leaderEpoch, int partitionEpoch, params int[] isr)
        {
            var response = await SendAsync(controllerPort, broker, brokerEpoch, leaderEpoch, partitionEpoch, isr);
            Assert.Equal(ErrorCode.None, (ErrorCode)response.ErrorCode);
            var topic = Assert.Single(response.Topics);
            Assert.Equal(Topic, topic.TopicName);
            return Assert.Single(topic.Partitions);
        }

        var notController = await SendAsync(cluster.Brokers[other].Port, 1, epoch1, initial.LeaderEpoch, initial.PartitionEpoch, 1, 2);
        Assert.Equal(ErrorCode.NotController, (ErrorCode)notController.ErrorCode);
        var stale = await SendAsync(controllerPort, 1, epoch1 - 1, initial.LeaderEpoch, initial.PartitionEpoch, 1, 2);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, (ErrorCode)stale.ErrorCode);

        Assert.Equal(ErrorCode.NotLeaderOrFollower,
            (ErrorCode)(await PartitionAnswerAsync(2, epoch2, initial.LeaderEpoch, initial.PartitionEpoch, 2, 3)).ErrorCode);
        Assert.Equal(ErrorCode.FencedLeaderEpoch,
            (ErrorCode)(await PartitionAnswerAsync(1, epoch1, initial.LeaderEpoch + 1, initial.PartitionEpoch, 1, 2)).ErrorCode);
        Assert.Equal(ErrorCode.InvalidUpdateVersion,
            (ErrorCode)(await PartitionAnswerAsync(1, epoch1, initial.LeaderEpoch, initial.PartitionEpoch + 1, 1, 2)).ErrorCode);
        Assert.Equal(ErrorCode.IneligibleReplica,
            (ErrorCode)(await PartitionAnswerAsync(1, epoch1, initial.LeaderEpoch, initial.PartitionEpoch, 1, 2, 4)).ErrorCode);
        Assert.Equal(ErrorCode.IneligibleReplica,
            (ErrorCode)(await PartitionAnswerAsync(1, epoch1, initial.LeaderEpoch, initial.PartitionEpoch, 2, 3)).ErrorCode);
        Assert.Equal(initial, await StateAsync(zk, Topic, 0), StoredStateComparer.Instance);

        var shrunk = await PartitionAnswerAsync(1, epoch1, initial.LeaderEpoch, initial.PartitionEpoch, 1, 2);
        Assert.Equal(ErrorCode.None, (ErrorCode)shrunk.ErrorCode);
        Assert.Equal(new[] { 1, 2 }, shrunk.Isr.Order());
        Assert.Equal((1, initial.LeaderEpoch, initial.PartitionEpoch + 1), (shrunk.LeaderId, shrunk.LeaderEpoch, shrunk.PartitionEpoch));
        Assert.Equal(initial with { Isr = [1, 2], PartitionEpoch = initial.PartitionEpoch + 1 }, await StateAsync(zk, Topic, 0),
            StoredStateComparer.Instance);
        await WaitForIsrEverywhereAsync(cluster, Topic, 0, 1, 1, 2);

        // The proposal made under the partition epoch before the shrink is stale now.
        Assert.Equal(ErrorCode.InvalidUpdateVersion,
            (ErrorCode)(await PartitionAnswerAsync(1, epoch1, initial.LeaderEpoch, initial.PartitionEpoch, 1)).ErrorCode);

        // Version 2 names the topic by id.
        var byId = Request(1, epoch1, initial.LeaderEpoch, shrunk.PartitionEpoch, 1, 2, 3);
        byId.Topics[0].TopicName = "";
        byId.Topics[0].TopicId = await TopicIdAsync(zk, Topic);
        var expanded = await AdminClients.RoundTripAsync<AlterPartitionRequest, AlterPartitionResponse>(controllerPort, byId, 2);
        var expandedPartition = Assert.Single(Assert.Single(expanded.Topics).Partitions);
        Assert.Equal(ErrorCode.None, (ErrorCode)expandedPartition.ErrorCode);
        Assert.Equal(new[] { 1, 2, 3 }, expandedPartition.Isr.Order());
        Assert.Equal(shrunk.PartitionEpoch + 1, expandedPartition.PartitionEpoch);
        await WaitForIsrEverywhereAsync(cluster, Topic, 0, 1, 1, 2, 3);
    }

    private static AlterPartitionRequest Request(int broker, long brokerEpoch, int leaderEpoch, int partitionEpoch, params int[] isr) => new()
    {
        BrokerId = broker,
        BrokerEpoch = brokerEpoch,
        Topics =
        [
            new AlterPartitionRequest.TopicData
            {
                TopicName = Topic,
                Partitions = [new AlterPartitionRequest.PartitionData { PartitionIndex = 0, LeaderEpoch = leaderEpoch, PartitionEpoch = partitionEpoch, NewIsr = [.. isr] }],
            },
        ],
    };

    /// <summary>Compares stored states with the ISR as a set (the order of its members carries no meaning).</summary>
    private sealed class StoredStateComparer : IEqualityComparer<StoredPartitionState>
    {
        public static readonly StoredStateComparer Instance = new();

        public bool Equals(StoredPartitionState? x, StoredPartitionState? y) =>
            x is not null && y is not null && (x.Leader, x.LeaderEpoch, x.PartitionEpoch) == (y.Leader, y.LeaderEpoch, y.PartitionEpoch)
            && x.Isr.Order().SequenceEqual(y.Isr.Order());

        public int GetHashCode(StoredPartitionState obj) => HashCode.Combine(obj.Leader, obj.LeaderEpoch, obj.PartitionEpoch);
    }
}
