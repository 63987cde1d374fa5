using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// A deleted topic's committed offsets are forgotten by every group's coordinator, wherever the
/// deletion was asked: each broker learns of the deletion from the controller's UpdateMetadata, as
/// Kafka's coordinators do. A group that kept them would start a topic created again under the
/// same name at the old topic's positions.
/// </summary>
[Collection(nameof(ThreeBrokerCollection))]
public sealed class DeletedTopicOffsetsTests(ThreeBrokerCluster fixture)
{
    [Fact]
    public async Task A_coordinator_that_did_not_receive_the_deletion_forgets_the_topics_offsets()
    {
        var topic = AdminClients.NewTopicName("deleted-offsets");
        await fixture.CreateTopicAsync(1, topic, 3);
        using var admin = AdminClients.Create(fixture.Cluster.BootstrapServers);
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, new Partition(p))).ToList();

        // DeleteTopics goes to the controller; the group wanted is coordinated by another broker.
        var controller = await ClusterProbe.MetadataControllerAsync(fixture.Broker(1).Port);
        var groups = Enumerable.Range(0, 10).Select(i => $"{topic}-group-{i}").ToList();
        foreach (var candidate in groups)
        {
            // COORDINATOR_NOT_AVAILABLE until the offsets topic is led everywhere: asked again.
            var error = "";
            await ClusterProbe.WaitUntilAsync(async () =>
            {
                try
                {
                    await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(candidate,
                        partitions.Select(p => new TopicPartitionOffset(p, new Offset(7))).ToList())]);
                    return true;
                }
                catch (AlterConsumerGroupOffsetsException e)
                {
                    error = string.Join(", ", e.Results.SelectMany(r => r.Partitions).Select(p => p.Error.Reason).Distinct());
                    return false;
                }
                catch (KafkaException e)
                {
                    error = e.Error.Reason;
                    return false;
                }
            }, () => Task.FromResult($"offsets of {candidate} not committed: {error}"), ThreeBrokerCluster.Generous);
        }
        var described = await admin.DescribeConsumerGroupsAsync(groups);
        var group = described.ConsumerGroupDescriptions.FirstOrDefault(g => g.Coordinator.Id != controller)?.GroupId;
        Assert.True(group is not null, $"all ten groups are coordinated by the controller {controller}");

        await admin.DeleteTopicsAsync([topic]);
        await ClusterProbe.WaitUntilAsync(async () => (await CommittedAsync(admin, group, partitions)).All(o => o == Offset.Unset),
            async () => $"group {group} still has offsets [{string.Join(",", await CommittedAsync(admin, group, partitions))}] for the deleted {topic}",
            ThreeBrokerCluster.Generous);
    }

    private static async Task<List<Offset>> CommittedAsync(IAdminClient admin, string group, List<TopicPartition> partitions)
    {
        var listed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)]);
        return [.. listed.Single().Partitions.Select(p => p.Offset)];
    }
}
