using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Groups.Members;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// The internal topic __consumer_offsets as clients see it: its records, read back with a
/// Confluent.Kafka consumer, parse with Kafka's key/value schemas and sit in the partition Kafka
/// would choose; it is marked internal, so kafka-python's pattern subscription leaves it out; deleting a
/// topic removes the groups' offsets for it (tombstones), as Kafka does.
/// </summary>
public sealed class OffsetsTopicTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private const string OffsetsTopic = "__consumer_offsets";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Fact]
    public async Task Consumer_offsets_records_decode_with_Kafkas_schemas()
    {
        var topic = $"decoded-{Guid.NewGuid():N}";
        var group = $"decoded-{topic}";
        await CreateAndFillAsync(topic, partitions: 2, records: 20);
        await ConsumeAllAndCloseAsync(group, topic, 20);

        var records = ReadOffsetsTopic();
        var mine = records.Where(r => r.Group == group).ToList();
        // Kafka's placement: abs(groupId.hashCode()) % offsets.topic.num.partitions.
        Assert.All(mine, r => Assert.Equal(JavaPartitionFor(group, 50), r.Partition));

        // The last commit per partition is offset 10 (ten records each), in a value version Kafka reads.
        var commits = mine.Where(r => r.KeyVersion < 2).GroupBy(r => r.TopicPartition).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal([0, 1], commits.Keys.Order());
        Assert.All(commits.Values, r =>
        {
            Assert.Equal(topic, r.Topic);
            Assert.Equal(10, r.Commit!.Value.Offset);
            Assert.InRange(r.Commit.Value.Version, (short)0, (short)4);
            Assert.InRange(r.Commit.Value.CommitTimestamp, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        });

        // Group metadata: a generation with the member, then (after it left) an empty one.
        var metadata = mine.Where(r => r.KeyVersion == 2).Select(r => r.Metadata!.Value).ToList();
        Assert.Contains(metadata, m => m is { ProtocolType: "consumer", Protocol: "range" } && m.MemberClientIds.SequenceEqual(["decoder"]) && m.Leader is not null);
        Assert.Equal("consumer", metadata[^1].ProtocolType);
        Assert.Empty(metadata[^1].MemberClientIds);
        Assert.True(metadata[^1].Generation > metadata[0].Generation);
    }

    [Fact]
    public async Task Consumer_offsets_is_internal_and_not_matched_by_a_regex_subscription()
    {
        var topic = $"visible-{Guid.NewGuid():N}";
        await CreateAndFillAsync(topic, partitions: 2, records: 2);
        await ConsumeAllAndCloseAsync($"creates-offsets-{topic}", topic, 2);

        using (var connection = await RawConnection.ConnectAsync(fixture.Broker.Port))
        {
            await connection.SendAsync(new MetadataRequest { Topics = null }, 9, 1);
            var (_, metadata) = await connection.ReadResponseAsync<MetadataResponse>(9, TimeSpan.FromSeconds(15));
            Assert.True(metadata.Topics.Single(t => t.Name == OffsetsTopic).IsInternal);
            Assert.False(metadata.Topics.Single(t => t.Name == topic).IsInternal);
        }

        // kafka-python leaves internal topics out of pattern subscriptions by that flag, as with Kafka.
        // (librdkafka has no such option: with Kafka too, its "^.*" subscription matches internal topics.)
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", ["regex_subscribe.py", Bootstrap, $"regex-{topic}", "^.*", topic],
            TimeSpan.FromSeconds(60), workingDirectory: MemberProcess.ClientsDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        var assigned = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(topic, assigned);
        Assert.DoesNotContain(OffsetsTopic, assigned);
    }

    [Fact]
    public async Task Deleting_a_topic_removes_the_groups_offsets_for_it()
    {
        var kept = $"kept-{Guid.NewGuid():N}";
        var deleted = $"deleted-{Guid.NewGuid():N}";
        var group = $"deletes-{deleted}";
        var onlyDeleted = $"only-{deleted}";
        await CreateAndFillAsync(kept, partitions: 1, records: 3);
        await CreateAndFillAsync(deleted, partitions: 2, records: 4);
        await ConsumeAllAndCloseAsync(group, kept, 3);
        await ConsumeAllAndCloseAsync(group, deleted, 4);
        await ConsumeAllAndCloseAsync(onlyDeleted, deleted, 4);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.DeleteTopicsAsync([deleted]);

        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        Assert.Equal([(kept, 3L)], offsets.Single().Partitions.Select(p => (p.Topic, p.Offset.Value)));
        // A group left empty without offsets is gone, as Kafka deletes it.
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == onlyDeleted);
        Assert.Contains((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == group);

        // The removal is durable: the last record of each removed key is a tombstone.
        var last = ReadOffsetsTopic().Where(r => r.Group == group || r.Group == onlyDeleted)
            .GroupBy(r => (r.KeyVersion == 2, r.Group, r.Topic, r.TopicPartition)).ToDictionary(g => g.Key, g => g.Last());
        Assert.All(last.Where(kv => kv.Key.Topic == deleted), kv => Assert.True(kv.Value.IsTombstone, $"{kv.Key} not removed"));
        Assert.False(last[(false, group, kept, 0)].IsTombstone);
        Assert.True(last[(true, onlyDeleted, null, -1)].IsTombstone);
    }

    private async Task CreateAndFillAsync(string topic, int partitions, int records)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        for (var i = 0; i < records; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<Null, string> { Value = $"{i}" });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>One member reads <paramref name="count"/> records, committing each, and leaves.</summary>
    private Task ConsumeAllAndCloseAsync(string group, string topic, int count) => Task.Run(() =>
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = group,
            ClientId = "decoder",
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var seen = 0;
        var deadline = DateTime.UtcNow + Patience;
        while (seen < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is not null)
            {
                consumer.Commit(result);
                seen++;
            }
        }
        Assert.Equal(count, seen);
        consumer.Close();
    });

    /// <summary>Every record of every __consumer_offsets partition, read with a plain consumer and parsed.</summary>
    private List<OffsetsTopicRecord> ReadOffsetsTopic()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        var partitions = admin.GetMetadata(OffsetsTopic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "unused",
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(OffsetsTopic, p, Offset.Beginning)));
        var records = new List<OffsetsTopicRecord>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + Patience;
        while (atEnd.Count < partitions && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }
            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                continue;
            }
            records.Add(OffsetsTopicRecord.Parse(result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value));
        }
        Assert.Equal(partitions, atEnd.Count);
        consumer.Close();
        return records;
    }

    /// <summary>Kafka's placement of a group: abs(Java String.hashCode) % partitions.</summary>
    internal static int JavaPartitionFor(string groupId, int partitions)
    {
        var hash = 0;
        foreach (var c in groupId)
        {
            hash = unchecked((31 * hash) + c);
        }
        return (hash & 0x7fffffff) % partitions;
    }
}
