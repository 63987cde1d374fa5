using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// CreateTopics, CreatePartitions and DeleteTopics wait for the controller up to the request's
/// timeout_ms, as Kafka does: timeout_ms = 0 answers once the change is written to ZooKeeper
/// (NONE) and the change is applied afterwards; a timeout the cluster cannot meet (1 ms for a
/// topic of many partitions: the controller alone needs ZooKeeper round trips and requests to
/// every broker) answers REQUEST_TIMED_OUT and the topic is created all the same.
/// </summary>
[Collection(nameof(ThreeBrokerCollection))]
public sealed class AdminTimeoutTests(ThreeBrokerCluster fixture)
{
    [Fact]
    public async Task Timeout_zero_answers_once_written_and_the_changes_are_applied_afterwards()
    {
        var topic = AdminClients.NewTopicName("timeout-zero");
        using var admin = AdminClients.Create(fixture.Broker(2).BootstrapServers);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 3, ReplicationFactor = 1 }],
            new CreateTopicsOptions { OperationTimeout = TimeSpan.Zero });
        await ClusterProbe.WaitForLeadersAsync(fixture.Broker(1).BootstrapServers, topic, 3);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 5 }],
            new CreatePartitionsOptions { OperationTimeout = TimeSpan.Zero });
        await ClusterProbe.WaitForLeadersAsync(fixture.Broker(3).BootstrapServers, topic, 5);

        await admin.DeleteTopicsAsync([topic], new DeleteTopicsOptions { OperationTimeout = TimeSpan.Zero });
        await ClusterProbe.WaitUntilAsync(
            () => Task.FromResult(admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics.All(t => t.Topic != topic)),
            () => Task.FromResult($"{topic} still listed"));
    }

    [Fact]
    public async Task A_timeout_the_controller_cannot_meet_answers_request_timed_out_and_the_topic_is_created()
    {
        var topic = AdminClients.NewTopicName("timeout-short");
        using var admin = AdminClients.Create(fixture.Broker(1).BootstrapServers);

        var failure = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = topic, NumPartitions = 300, ReplicationFactor = 1 }],
            new CreateTopicsOptions { OperationTimeout = TimeSpan.FromMilliseconds(1) }));
        Assert.Equal(ErrorCode.RequestTimedOut, Assert.Single(failure.Results).Error.Code);

        foreach (var broker in fixture.Cluster.Brokers.Values)
        {
            await ClusterProbe.WaitForLeadersAsync(broker.BootstrapServers, topic, 300);
        }
    }
}
