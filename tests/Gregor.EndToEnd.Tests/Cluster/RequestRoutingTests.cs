using Gregor.Broker.Groups;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// Requests reach the broker that owns what they name: a group's coordinator is the leader of its
/// __consumer_offsets partition and the other brokers answer NOT_COORDINATOR; Produce and Fetch of
/// a partition through a broker that does not lead it answer NOT_LEADER_OR_FOLLOWER.
/// </summary>
[Collection(nameof(ThreeBrokerCollection))]
public sealed class RequestRoutingTests(ThreeBrokerCluster fixture)
{
    private const short NotLeaderOrFollower = 6;
    private const short NotCoordinator = 16;
    private const short UnknownMemberId = 25;
    private const short CoordinatorNotAvailable = 15;

    [Fact]
    public async Task The_coordinator_of_a_group_is_the_leader_of_its_offsets_partition_and_the_others_answer_not_coordinator()
    {
        var group = $"routing-{Guid.NewGuid():N}";
        var coordinator = await FindCoordinatorAsync(fixture.Broker(1).Port, group);
        Assert.Equal(fixture.Broker(coordinator.NodeId).Port, coordinator.Port);
        foreach (var id in new[] { 2, 3 })
        {
            Assert.Equal(coordinator.NodeId, (await FindCoordinatorAsync(fixture.Broker(id).Port, group)).NodeId);
        }

        var offsetsPartition = GroupPartitioner.PartitionFor(group, 50);
        foreach (var broker in fixture.Cluster.Brokers.Values)
        {
            var offsets = await ClusterProbe.WaitForLeadersAsync(broker.BootstrapServers, "__consumer_offsets", 50);
            Assert.Equal(coordinator.NodeId, offsets.Partitions.Single(p => p.PartitionId == offsetsPartition).Leader);
        }

        foreach (var (id, broker) in fixture.Cluster.Brokers)
        {
            var heartbeat = await AdminClients.RoundTripAsync<HeartbeatRequest, HeartbeatResponse>(broker.Port,
                new HeartbeatRequest { GroupId = group, GenerationId = 1, MemberId = "nobody" }, 4);
            Assert.Equal(id == coordinator.NodeId ? UnknownMemberId : NotCoordinator, heartbeat.ErrorCode);
        }
    }

    [Fact]
    public async Task Produce_and_fetch_through_a_broker_that_does_not_lead_the_partition_answer_not_leader_or_follower()
    {
        var topic = AdminClients.NewTopicName("routing");
        var metadata = await fixture.CreateTopicAsync(2, topic, 3);
        foreach (var partition in metadata.Partitions)
        {
            foreach (var (id, broker) in fixture.Cluster.Brokers)
            {
                var expected = id == partition.Leader ? (short)0 : NotLeaderOrFollower;
                var produced = await AdminClients.RoundTripAsync<ProduceRequest, ProduceResponse>(broker.Port, Produce(topic, partition.PartitionId), 9);
                Assert.Equal(expected, produced.Responses.Single().PartitionResponses.Single().ErrorCode);
                var fetched = await AdminClients.RoundTripAsync<FetchRequest, FetchResponse>(broker.Port, Fetch(topic, partition.PartitionId), 12);
                Assert.Equal(expected, fetched.Responses.Single().Partitions.Single().ErrorCode);
            }
        }
    }

    /// <summary>FindCoordinator until the offsets topic is ready (COORDINATOR_NOT_AVAILABLE until then).</summary>
    private static async Task<FindCoordinatorResponse> FindCoordinatorAsync(int port, string group)
    {
        var deadline = DateTime.UtcNow + ThreeBrokerCluster.Generous;
        while (true)
        {
            var found = await AdminClients.RoundTripAsync<FindCoordinatorRequest, FindCoordinatorResponse>(port, new FindCoordinatorRequest { Key = group }, 2);
            if (found.ErrorCode == 0)
            {
                return found;
            }
            Assert.Equal(CoordinatorNotAvailable, found.ErrorCode);
            Assert.True(DateTime.UtcNow < deadline, "no coordinator within the deadline");
            await Task.Delay(200);
        }
    }

    private static ProduceRequest Produce(string topic, int partition)
    {
        var batch = new RecordBatchBuilder();
        batch.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "routed"u8.ToArray());
        return new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = batch.Build() }] }],
        };
    }

    private static FetchRequest Fetch(string topic, int partition) => new()
    {
        MaxWaitMs = 0,
        MaxBytes = 1 << 20,
        Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
    };
}
