using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>CreateTopics and DeleteTopics acceptance through Confluent.Kafka's admin client.</summary>
public sealed class CreateDeleteTopicsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    private string PartitionDir(string topic, int partition) => Path.Combine(fixture.Broker.LogDir, $"{topic}-{partition}");

    private async Task<CreateTopicReport> CreateFailingAsync(TopicSpecification spec, CreateTopicsOptions? options = null)
    {
        using var admin = AdminClients.Create(Bootstrap);
        var e = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([spec], options));
        return Assert.Single(e.Results);
    }

    [Fact]
    public async Task More_replicas_than_live_brokers_is_invalid_replication_factor()
    {
        var topic = AdminClients.NewTopicName("rf");
        var report = await CreateFailingAsync(new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 3 });
        Assert.Equal(ErrorCode.InvalidReplicationFactor, report.Error.Code);
        Assert.False(Directory.Exists(PartitionDir(topic, 0)));
    }

    [Fact]
    public async Task Replica_assignments_create_one_partition_per_entry()
    {
        var topic = AdminClients.NewTopicName("assigned");
        using var admin = AdminClients.Create(Bootstrap);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 3, ReplicationFactor = -1, ReplicasAssignments = new Dictionary<int, List<int>> { [0] = [0], [1] = [0], [2] = [0] } }]);

        Assert.Equal(3, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count);
        Assert.True(Directory.Exists(PartitionDir(topic, 2)));

        var unknownBroker = await CreateFailingAsync(new TopicSpecification { Name = AdminClients.NewTopicName("assigned-bad"), NumPartitions = 1, ReplicationFactor = -1, ReplicasAssignments = new Dictionary<int, List<int>> { [0] = [4] } });
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, unknownBroker.Error.Code);
    }

    [Fact]
    public async Task Topic_configs_are_applied_and_invalid_ones_refused()
    {
        var topic = AdminClients.NewTopicName("configured");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1, new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["retention.ms"] = "1000" });
        var entries = await AdminClients.DescribeAsync(Bootstrap, ResourceType.Topic, topic);
        Assert.Equal("compact", entries["cleanup.policy"].Value);
        Assert.Equal("1000", entries["retention.ms"].Value);

        var bad = AdminClients.NewTopicName("configured-bad");
        var report = await CreateFailingAsync(new TopicSpecification { Name = bad, NumPartitions = 1, ReplicationFactor = 1, Configs = new Dictionary<string, string> { ["retention.ms"] = "x" } });
        Assert.Equal(ErrorCode.InvalidConfig, report.Error.Code);
        Assert.False(Directory.Exists(PartitionDir(bad, 0)));
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        var topic = AdminClients.NewTopicName("validate-only");
        using var admin = AdminClients.Create(Bootstrap);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }], new CreateTopicsOptions { ValidateOnly = true });

        Assert.False(Directory.Exists(PartitionDir(topic, 0)));
        using var metadataAdmin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap, AllowAutoCreateTopics = false }).Build();
        Assert.DoesNotContain(metadataAdmin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == topic);
    }

    [Theory]
    [InlineData("bad/name")]
    [InlineData("bad name")]
    [InlineData(".")]
    [InlineData("..")]
    public async Task Invalid_topic_names_are_invalid_topic_exception(string name)
    {
        var report = await CreateFailingAsync(new TopicSpecification { Name = name, NumPartitions = 1, ReplicationFactor = 1 });
        Assert.Equal(ErrorCode.TopicException, report.Error.Code);
    }

    [Fact]
    public async Task A_name_longer_than_249_characters_is_invalid_topic_exception()
    {
        var report = await CreateFailingAsync(new TopicSpecification { Name = new string('a', 250), NumPartitions = 1, ReplicationFactor = 1 });
        Assert.Equal(ErrorCode.TopicException, report.Error.Code);
        // 249 is still legal.
        var longest = new string('b', 249 - 33) + "-" + Guid.NewGuid().ToString("N");
        await AdminClients.CreateTopicAsync(Bootstrap, longest, 1);
    }

    [Fact]
    public async Task Delete_by_name_removes_the_partition_directories()
    {
        var topic = AdminClients.NewTopicName("delete");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 2);
        Assert.True(Directory.Exists(PartitionDir(topic, 1)));
        using var admin = AdminClients.Create(Bootstrap);

        await admin.DeleteTopicsAsync([topic]);

        Assert.False(Directory.Exists(PartitionDir(topic, 0)));
        Assert.False(Directory.Exists(PartitionDir(topic, 1)));
        var again = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync([topic]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(again.Results).Error.Code);
    }

    [Fact]
    public async Task Delete_by_id_removes_the_partition_directories()
    {
        var topic = AdminClients.NewTopicName("delete-id");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1);
        Assert.True(Directory.Exists(PartitionDir(topic, 0)));
        using var admin = AdminClients.Create(Bootstrap);
        var description = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]));
        var id = Assert.Single(description.TopicDescriptions).TopicId;
        // librdkafka prints ids in standard base64; Kafka's form is URL-safe, so go through the bits.
        var topicId = new Gregor.Protocol.Wire.Uuid(id.MostSignificantBits, id.LeastSignificantBits);
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);

        var request = new Gregor.Protocol.Messages.DeleteTopicsRequest
        {
            Topics = [new Gregor.Protocol.Messages.DeleteTopicsRequest.DeleteTopicState { Name = null, TopicId = topicId }],
            TimeoutMs = 5000,
        };
        await connection.SendAsync(request, 6, correlationId: 3);
        var (_, response) = await connection.ReadResponseAsync<Gregor.Protocol.Messages.DeleteTopicsResponse>(6, TimeSpan.FromSeconds(10));

        var result = Assert.Single(response.Responses);
        Assert.Equal(0, result.ErrorCode);
        Assert.Equal(topic, result.Name);
        Assert.False(Directory.Exists(PartitionDir(topic, 0)));
    }
}
