using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// The internal topic __consumer_offsets belongs to the group coordinator: a client naming it in
/// Metadata gets it created with the coordinator's settings (not num.partitions).
/// Each test runs its own broker: they need one on which no group has been used yet.
/// </summary>
public sealed class InternalTopicsTests
{
    private const string OffsetsTopic = "__consumer_offsets";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kcat_listing_consumer_offsets_first_creates_it_as_the_coordinator_would()
    {
        await using var broker = await BrokerProcess.StartAsync([.. GroupBrokerFixture.Overrides, "num.partitions=1", "offsets.topic.num.partitions=5"]);

        // What Burrow and `kcat -L -t __consumer_offsets` do before any group exists.
        var kcat = await ExternalProcess.RunAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", OffsetsTopic, "-m", "5"], Timeout);
        Assert.True(kcat.ExitCode == 0, kcat.ToString());

        var topic = await WaitForPartitionsAsync(broker, OffsetsTopic);
        Assert.True(topic.IsInternal);
        Assert.Equal(5, topic.Partitions.Count);
        var configs = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, OffsetsTopic);
        Assert.Equal("compact", configs["cleanup.policy"].Value);

        // A group whose coordinator partition is not 0 joins, syncs and commits.
        var data = $"data-{Guid.NewGuid():N}";
        await ProduceAsync(broker, data, 3);
        var group = GroupOnNonZeroPartition("burrowed", 5);
        Assert.Equal(3, ConsumeAndCommit(broker, group, data, 3));
        Assert.Equal(3, await CommittedAsync(broker, group, data));
    }

    /// <summary>Metadata (no auto-creation) until the topic is answered with partitions.</summary>
    private static async Task<MetadataResponse.MetadataResponseTopic> WaitForPartitionsAsync(BrokerProcess broker, string topic)
    {
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        var deadline = DateTime.UtcNow + Timeout;
        for (var correlation = 1; ; correlation++)
        {
            await connection.SendAsync(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false }, 9, correlation);
            var (_, response) = await connection.ReadResponseAsync<MetadataResponse>(9, TimeSpan.FromSeconds(15));
            var answer = response.Topics.Single();
            if (answer.ErrorCode == 0 || DateTime.UtcNow > deadline)
            {
                Assert.Equal(0, answer.ErrorCode);
                return answer;
            }
            await Task.Delay(200);
        }
    }

    private static async Task ProduceAsync(BrokerProcess broker, string topic, int count)
    {
        await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(topic, new Message<Null, string> { Value = $"{i}" });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    private static async Task<long> CommittedAsync(BrokerProcess broker, string group, string topic)
    {
        using var admin = AdminClients.Create(broker.BootstrapServers);
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, [new TopicPartition(topic, 0)])]);
        return offsets.Single().Partitions.Single().Offset.Value;
    }

    /// <summary>A member joins <paramref name="group"/>, reads up to <paramref name="count"/> records committing each, and leaves; returns how many it read.</summary>
    private static int ConsumeAndCommit(BrokerProcess broker, string group, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var seen = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (seen < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null)
            {
                consumer.Commit(result);
                seen++;
            }
        }
        consumer.Close();
        return seen;
    }

    /// <summary>A group id that Kafka's placement puts past partition 0.</summary>
    private static string GroupOnNonZeroPartition(string prefix, int partitions)
    {
        for (var i = 0; ; i++)
        {
            var candidate = $"{prefix}-{i}";
            if (OffsetsTopicTests.JavaPartitionFor(candidate, partitions) != 0)
            {
                return candidate;
            }
        }
    }
}
