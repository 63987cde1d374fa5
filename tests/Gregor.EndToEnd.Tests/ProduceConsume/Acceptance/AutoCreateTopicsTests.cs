using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using KafkaErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 7: with auto.create.topics.enable=true, kcat -L, a Confluent.Kafka produce and a raw
/// Metadata request for an unknown topic create it with num.partitions and default.replication.factor
/// (the request that creates it is answered LEADER_NOT_AVAILABLE, the next one with its partitions,
/// as Kafka does); with false they get UNKNOWN_TOPIC_OR_PARTITION and no partition directory appears.
/// </summary>
public sealed class AutoCreateTopicsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<MetadataResponse> MetadataAsync(BrokerProcess broker, string topic)
    {
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        await connection.SendAsync(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = true }, 9, 1);
        return (await connection.ReadResponseAsync<MetadataResponse>(9, Raw.Timeout)).Body;
    }

    private static bool AnyPartitionDirectory(BrokerProcess broker, string topic) =>
        Directory.EnumerateDirectories(broker.LogDir, $"{topic}-*").Any();

    private static async Task<ExternalProcess.Result> KcatListAsync(BrokerProcess broker, string topic) =>
        await ExternalProcess.RunAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", topic, "-m", "5"], Timeout);

    [Fact]
    public async Task When_enabled_unknown_topics_are_created_with_the_defaults()
    {
        await using var broker = await BrokerProcess.StartAsync(["auto.create.topics.enable=true", "num.partitions=3", "default.replication.factor=1"]);

        var kcat = await KcatListAsync(broker, "auto-by-kcat");
        Assert.True(kcat.ExitCode == 0, kcat.ToString());

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            var report = await producer.ProduceAsync("auto-by-produce", new Message<Null, string> { Value = "created on the fly" });
            Assert.Equal(PersistenceStatus.Persisted, report.Status);
        }

        var raw = await MetadataAsync(broker, "auto-by-metadata");
        Assert.Equal((short)KafkaErrorCode.LeaderNotAvailable, raw.Topics[0].ErrorCode);
        Assert.Empty(raw.Topics[0].Partitions);

        foreach (var topic in new[] { "auto-by-kcat", "auto-by-produce", "auto-by-metadata" })
        {
            var metadata = await MetadataAsync(broker, topic);
            Assert.Equal(0, metadata.Topics[0].ErrorCode);
            Assert.Equal(3, metadata.Topics[0].Partitions.Count);
            Assert.All(metadata.Topics[0].Partitions, p => Assert.Single(p.ReplicaNodes));
            Assert.All(Enumerable.Range(0, 3), p => Assert.True(Directory.Exists(Path.Combine(broker.LogDir, $"{topic}-{p}")), $"{topic}-{p}"));
        }
    }

    [Fact]
    public async Task A_deleted_topic_asked_for_again_is_created_anew_and_served_on_the_next_request()
    {
        await using var broker = await BrokerProcess.StartAsync(["auto.create.topics.enable=true", "num.partitions=3", "default.replication.factor=1"]);
        const string topic = "deleted-then-asked-for";
        await Raw.CreateTopicAsync(broker.Port, topic, partitions: 2);
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        await connection.SendAsync(new DeleteTopicsRequest { TopicNames = [topic], TimeoutMs = 5000 }, 3, 1);
        var (_, deleted) = await connection.ReadResponseAsync<DeleteTopicsResponse>(3, Raw.Timeout);
        Assert.Equal(0, deleted.Responses.Single().ErrorCode);

        // kafka-go's test_delete_topics: Metadata v1 (which always allows auto-creation) right after
        // the delete must not answer partitions.
        var topics = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] };
        await connection.SendAsync(topics, 1, 2);
        var (_, first) = await connection.ReadResponseAsync<MetadataResponse>(1, Raw.Timeout);
        Assert.Equal((short)KafkaErrorCode.LeaderNotAvailable, first.Topics.Single().ErrorCode);
        Assert.Empty(first.Topics.Single().Partitions);

        // The new topic has the defaults, not the deleted one's partitions.
        await connection.SendAsync(topics, 1, 3);
        var (_, second) = await connection.ReadResponseAsync<MetadataResponse>(1, Raw.Timeout);
        Assert.Equal(0, second.Topics.Single().ErrorCode);
        Assert.Equal(3, second.Topics.Single().Partitions.Count);
    }

    [Fact]
    public async Task When_disabled_unknown_topics_are_unknown_and_nothing_is_created()
    {
        await using var broker = await BrokerProcess.StartAsync(["auto.create.topics.enable=false"]);

        var kcat = await KcatListAsync(broker, "off-by-kcat");
        Assert.Contains("Unknown topic or partition", kcat.StandardOutput + kcat.StandardError);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, MessageTimeoutMs = 3000 }).Build())
        {
            var e = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("off-by-produce", new Message<Null, string> { Value = "nowhere" }));
            Assert.Contains(e.Error.Code, new[] { ErrorCode.UnknownTopicOrPart, ErrorCode.Local_UnknownTopic, ErrorCode.Local_MsgTimedOut });
        }

        var metadata = await MetadataAsync(broker, "off-by-metadata");
        Assert.Equal((short)KafkaErrorCode.UnknownTopicOrPartition, metadata.Topics[0].ErrorCode);

        using var connection = await RawConnection.ConnectAsync(broker.Port);
        var builder = new RecordBatchBuilder();
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "x"u8.ToArray());
        var produced = await Raw.ProduceAsync(connection, "off-by-raw-produce", builder.Build());
        Assert.Equal((short)KafkaErrorCode.UnknownTopicOrPartition, produced.ErrorCode);

        foreach (var topic in new[] { "off-by-kcat", "off-by-produce", "off-by-metadata", "off-by-raw-produce" })
        {
            Assert.False(AnyPartitionDirectory(broker, topic), topic);
            Assert.Equal((short)KafkaErrorCode.UnknownTopicOrPartition, (await MetadataAsync(broker, topic)).Topics[0].ErrorCode);
        }
    }
}
