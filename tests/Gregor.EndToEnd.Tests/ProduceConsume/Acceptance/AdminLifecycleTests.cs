using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 6: a topic's whole life through Confluent.Kafka's AdminClient — create with a config,
/// describe configs, alter retention.ms, add partitions, refuse to shrink, delete (data and
/// directories gone), and re-create under the same name with a new topic id and fresh state.
/// </summary>
public sealed class AdminLifecycleTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    private static async Task<ConfigEntryResult> RetentionAsync(IAdminClient admin, string topic)
    {
        var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]);
        return Assert.Single(described).Entries["retention.ms"];
    }

    private static async Task<Uuid> TopicIdAsync(IAdminClient admin, string topic) =>
        Assert.Single((await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions).TopicId;

    [Fact]
    public async Task Create_describe_alter_grow_refuse_shrink_delete_and_recreate()
    {
        var topic = $"lifecycle-{Guid.NewGuid():N}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "3600000" } }]);
        var retention = await RetentionAsync(admin, topic);
        Assert.Equal("3600000", retention.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, retention.Source);
        var firstId = await TopicIdAsync(admin, topic);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = topic }] = [new ConfigEntry { Name = "retention.ms", Value = "7200000", IncrementalOperation = AlterConfigOpType.Set }],
        });
        Assert.Equal("7200000", (await RetentionAsync(admin, topic)).Value);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 4 }]);
        Assert.Equal(4, admin.GetMetadata(topic, Timeout).Topics[0].Partitions.Count);
        var shrink = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 2 }]));
        Assert.Equal(ErrorCode.InvalidPartitions, Assert.Single(shrink.Results).Error.Code);
        Assert.Equal(4, admin.GetMetadata(topic, Timeout).Topics[0].Partitions.Count);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build())
        {
            await producer.ProduceAsync(new TopicPartition(topic, 3), new Message<Null, string> { Value = "before delete" });
        }
        await admin.DeleteTopicsAsync([topic]);
        Assert.False(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-3")));
        var describeDeleted = await Assert.ThrowsAsync<DescribeConfigsException>(() => admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(describeDeleted.Results).Error.Code);

        // Same name again: a new topic id, the new partition count, default configs, no old data.
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        var secondId = await TopicIdAsync(admin, topic);
        Assert.NotEqual(firstId.ToString(), secondId.ToString());
        Assert.Single(admin.GetMetadata(topic, Timeout).Topics[0].Partitions);
        var fresh = await RetentionAsync(admin, topic);
        Assert.NotEqual("7200000", fresh.Value);
        Assert.NotEqual(ConfigSource.DynamicTopicConfig, fresh.Source);
        Assert.Equal(0, Raw.HighWatermark(Bootstrap, topic));
        Assert.False(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-3")));
    }
}
