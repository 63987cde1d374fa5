using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// Admin requests through any broker act on the whole cluster: topics created through one broker
/// are led everywhere, partitions added through another, and a deletion through a third removes the
/// partition directories from every broker's log dir; a topic config changed through broker 1 is
/// described by broker 3 and enforced by the partitions' leaders; DescribeCluster through every
/// broker lists the three brokers and the controller ZooKeeper names.
/// </summary>
[Collection(nameof(ThreeBrokerCollection))]
public sealed class ClusterAdminTests(ThreeBrokerCluster fixture)
{
    [Fact]
    public async Task Topics_created_extended_and_deleted_through_different_brokers_leave_no_log_on_any_broker()
    {
        var topic = AdminClients.NewTopicName("admin");
        var created = await fixture.CreateTopicAsync(2, topic, 3);
        Assert.Equal(3, created.Partitions.Select(p => p.Leader).Distinct().Count());

        using (var admin = AdminClients.Create(fixture.Broker(3).BootstrapServers))
        {
            await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 5 }]);
        }
        foreach (var broker in fixture.Cluster.Brokers.Values)
        {
            await ClusterProbe.WaitForLeadersAsync(broker.BootstrapServers, topic, 5);
        }
        await AdminClients.ProduceAsync(fixture.Broker(1).BootstrapServers, topic, 3);
        Assert.Equal(5, fixture.Cluster.Brokers.Values.Sum(b => PartitionDirectories(b.LogDir, topic).Length));

        using (var admin = AdminClients.Create(fixture.Broker(1).BootstrapServers))
        {
            await admin.DeleteTopicsAsync([topic]);
        }
        await WaitUntilAsync(() => !fixture.Cluster.Brokers.Values.SelectMany(b => PartitionDirectories(b.LogDir, topic)).Any(),
            () => "still on disk: " + string.Join(", ", fixture.Cluster.Brokers.Values.SelectMany(b => PartitionDirectories(b.LogDir, topic))));
        foreach (var broker in fixture.Cluster.Brokers.Values)
        {
            using var admin = AdminClients.Create(broker.BootstrapServers);
            await WaitUntilAsync(() => admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics.All(t => t.Topic != topic), $"{topic} still listed by {broker.BootstrapServers}");
        }
    }

    [Fact]
    public async Task A_retention_change_through_broker_1_is_described_by_broker_3_and_deletes_old_segments()
    {
        var topic = AdminClients.NewTopicName("retention");
        await fixture.CreateTopicAsync(1, topic, 1, new Dictionary<string, string> { ["segment.bytes"] = "1024" });

        // Records two days old in several segments: kept under the default retention of 7 days.
        var old = DateTime.UtcNow - TimeSpan.FromDays(2);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = fixture.Broker(2).BootstrapServers, LingerMs = 0 }).Build())
        {
            for (var i = 0; i < 20; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, string> { Value = new string('x', 200), Timestamp = new Timestamp(old) });
            }
        }
        Assert.Equal(0, LowWatermark(fixture.Broker(3).BootstrapServers, topic));
        foreach (var broker in fixture.Cluster.Brokers.Values)
        {
            Assert.Equal("1024", (await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, topic))["segment.bytes"].Value);
        }

        using (var admin = AdminClients.Create(fixture.Broker(1).BootstrapServers))
        {
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = topic }] = [new ConfigEntry { Name = "retention.ms", Value = "86400000", IncrementalOperation = AlterConfigOpType.Set }],
            });
        }
        var described = await AdminClients.DescribeAsync(fixture.Broker(3).BootstrapServers, ResourceType.Topic, topic);
        Assert.Equal("86400000", described["retention.ms"].Value);
        Assert.Equal("1024", described["segment.bytes"].Value);

        await WaitUntilAsync(() => LowWatermark(fixture.Broker(3).BootstrapServers, topic) > 0, "the leader kept its old segments");
    }

    [Fact]
    public async Task Describe_cluster_through_every_broker_lists_the_three_brokers_and_the_controller()
    {
        await using var zk = await fixture.Cluster.ConnectZooKeeperAsync();
        var (data, _) = await zk.GetDataAsync("/controller");
        var controller = System.Text.Json.JsonDocument.Parse(data).RootElement.GetProperty("brokerid").GetInt32();
        foreach (var broker in fixture.Cluster.Brokers.Values)
        {
            using var admin = AdminClients.Create(broker.BootstrapServers);
            var cluster = await admin.DescribeClusterAsync();
            Assert.Equal([1, 2, 3], cluster.Nodes.Select(n => n.Id).Order());
            Assert.All(cluster.Nodes, n => Assert.Equal(fixture.Broker(n.Id).Port, n.Port));
            Assert.Equal(controller, cluster.Controller?.Id);
        }
    }

    /// <summary>The partition directories of the topic in a log dir ("topic-N", and any renamed for deletion).</summary>
    private static string[] PartitionDirectories(string logDir, string topic) =>
        Directory.GetDirectories(logDir, $"{topic}-*");

    private static long LowWatermark(string bootstrap, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "watermarks" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(30)).Low.Value;
    }

    /// <summary>The cluster tests' wait (<see cref="ClusterProbe.WaitUntilAsync"/>) over a synchronous condition.</summary>
    private static Task WaitUntilAsync(Func<bool> condition, Func<string> failure) =>
        ClusterProbe.WaitUntilAsync(() => Task.FromResult(condition()), () => Task.FromResult(failure()), ThreeBrokerCluster.Generous);

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(condition, () => failure);
}
