using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>CreatePartitions through Confluent.Kafka's admin client: partitions grow, never shrink.</summary>
public sealed class CreatePartitionsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Fact]
    public async Task Grows_a_topic_from_2_to_4_partitions_with_a_directory_for_each()
    {
        var topic = AdminClients.NewTopicName("grow");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 2);
        using var admin = AdminClients.Create(Bootstrap);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 4 }]);

        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal([0, 1, 2, 3], metadata.Topics[0].Partitions.Select(p => p.PartitionId).Order());
        foreach (var p in Enumerable.Range(0, 4))
        {
            Assert.True(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-{p}")), $"{topic}-{p} missing");
        }
        Assert.False(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-4")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Shrinking_or_keeping_the_count_is_invalid_partitions(int count)
    {
        var topic = AdminClients.NewTopicName("shrink");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 3);
        using var admin = AdminClients.Create(Bootstrap);

        var e = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = count }]));

        Assert.Equal(ErrorCode.InvalidPartitions, Assert.Single(e.Results).Error.Code);
        Assert.Equal(3, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        var topic = AdminClients.NewTopicName("grow-validate");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1);
        using var admin = AdminClients.Create(Bootstrap);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 3 }], new CreatePartitionsOptions { ValidateOnly = true });

        Assert.Single(admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions);
        Assert.False(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-1")));
    }

    [Fact]
    public async Task Explicit_assignments_are_validated()
    {
        var topic = AdminClients.NewTopicName("grow-assign");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1);
        using var admin = AdminClients.Create(Bootstrap);

        var unknownBroker = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync(
            [new PartitionsSpecification { Topic = topic, IncreaseTo = 2, ReplicaAssignments = [[7]] }]));
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, Assert.Single(unknownBroker.Results).Error.Code);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 2, ReplicaAssignments = [[0]] }]);
        Assert.Equal(2, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count);
    }

    [Fact]
    public async Task Unknown_topic_is_unknown_topic_or_partition()
    {
        using var admin = AdminClients.Create(Bootstrap);
        var e = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync(
            [new PartitionsSpecification { Topic = AdminClients.NewTopicName("nope"), IncreaseTo = 2 }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(e.Results).Error.Code);
    }
}
