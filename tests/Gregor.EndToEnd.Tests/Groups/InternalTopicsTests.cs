using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using KafkaErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// The internal topic __consumer_offsets belongs to the group coordinator: a client naming it in
/// Metadata gets it created with the coordinator's settings (not num.partitions), clients cannot
/// append to it or create it (nor __cluster_metadata), and a copy on disk with another partition
/// count is reported at start-up and used as it is, so the groups stored in it keep working; a
/// batch in it that cannot be decoded is skipped with one log line while the rest loads.
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

    [Fact]
    public async Task FindCoordinator_first_creates_consumer_offsets_and_names_its_leader()
    {
        await using var broker = await BrokerProcess.StartAsync([.. GroupBrokerFixture.Overrides, "auto.create.topics.enable=false", "offsets.topic.num.partitions=3"]);
        using var connection = await RawConnection.ConnectAsync(broker.Port);

        // As Kafka: the lookup creates the topic (whatever auto.create.topics.enable says) and the
        // coordinator is the leader of the group's partition, this broker.
        await connection.SendAsync(new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = ["first", "second"] }, 4, 1);
        var (_, found) = await connection.ReadResponseAsync<FindCoordinatorResponse>(4, Timeout);
        Assert.All(found.Coordinators, c => Assert.Equal((0, broker.Port), (c.ErrorCode, c.Port)));
        var topic = await WaitForPartitionsAsync(broker, OffsetsTopic);
        Assert.Equal(3, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(found.Coordinators[0].NodeId, p.LeaderId));
    }

    [Fact]
    public async Task Clients_cannot_append_to_consumer_offsets_or_delete_its_records()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-internal-").FullName;
        try
        {
            var data = $"payments-{Guid.NewGuid():N}";
            await using (var broker = await BrokerProcess.StartAsync([.. GroupBrokerFixture.Overrides, "offsets.topic.num.partitions=1"], logDir))
            {
                await ProduceAsync(broker, data, 5);
                await CommitAsync(broker, "payments", data, 5);

                // A forged commit of offset 0 for the same key, sent as a plain produce.
                using var connection = await RawConnection.ConnectAsync(broker.Port);
                var builder = new RecordBatchBuilder();
                builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), OffsetCommitKey("payments", data, 0), OffsetCommitValue(0));
                var request = new ProduceRequest
                {
                    Acks = -1,
                    TimeoutMs = 5000,
                    TopicData = [new ProduceRequest.TopicProduceData { Name = OffsetsTopic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = builder.Build() }] }],
                };
                await connection.SendAsync(request, 9, 1);
                var (_, response) = await connection.ReadResponseAsync<ProduceResponse>(9, TimeSpan.FromSeconds(15));
                var answer = response.Responses.Single().PartitionResponses.Single();
                Assert.Equal((short)KafkaErrorCode.InvalidTopicException, answer.ErrorCode);
                Assert.Equal($"Cannot append to internal topic {OffsetsTopic}", answer.ErrorMessage);

                // Nor can they cut it, whatever its cleanup.policy says.
                using (var admin = AdminClients.Create(broker.BootstrapServers))
                {
                    await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
                    {
                        [new ConfigResource { Type = ResourceType.Topic, Name = OffsetsTopic }] = [new ConfigEntry { Name = "cleanup.policy", Value = "compact,delete", IncrementalOperation = AlterConfigOpType.Set }],
                    });
                }
                var delete = new DeleteRecordsRequest
                {
                    Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = OffsetsTopic, Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = 0, Offset = -1 }] }],
                    TimeoutMs = 5000,
                };
                await connection.SendAsync(delete, 2, 2);
                var (_, deleted) = await connection.ReadResponseAsync<DeleteRecordsResponse>(2, TimeSpan.FromSeconds(15));
                Assert.Equal((short)KafkaErrorCode.InvalidTopicException, deleted.Topics.Single().Partitions.Single().ErrorCode);
            }

            // Nothing forged reached the log: after a restart the group still has offset 5.
            await using (var broker = await BrokerProcess.StartAsync([.. GroupBrokerFixture.Overrides, "offsets.topic.num.partitions=1"], logDir))
            {
                Assert.Equal(5, await CommittedAsync(broker, "payments", data));
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task An_offsets_topic_with_another_partition_count_is_reported_and_used_as_it_is()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-internal-").FullName;
        try
        {
            var data = $"sized-{Guid.NewGuid():N}";
            var group = GroupOnNonZeroPartition("resized", 5);
            await using (var broker = await BrokerProcess.StartAsync([.. GroupBrokerFixture.Overrides, "offsets.topic.num.partitions=1"], logDir))
            {
                await ProduceAsync(broker, data, 4);
                await CommitAsync(broker, group, data, 2);
            }

            await using (var broker = await BrokerProcess.StartAsync([.. GroupBrokerFixture.Overrides, "offsets.topic.num.partitions=5"], logDir))
            {
                Assert.Equal(2, await CommittedAsync(broker, group, data));
                // The group still commits (its partition is computed over the topic's real count), and so does a member.
                await CommitAsync(broker, group, data, 3);
                Assert.Equal(3, await CommittedAsync(broker, group, data));
                Assert.Equal(1, ConsumeAndCommit(broker, group, data, 1));
                Assert.Equal(4, await CommittedAsync(broker, group, data));
                Assert.Contains(broker.Output, line => line.Contains($"{OffsetsTopic} has 1 partitions but offsets.topic.num.partitions is 5", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task An_undecodable_batch_in_consumer_offsets_is_skipped_with_one_log_line_and_later_batches_still_load()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-internal-").FullName;
        try
        {
            var data = $"skipped-{Guid.NewGuid():N}";
            string[] overrides = [.. GroupBrokerFixture.Overrides, "offsets.topic.num.partitions=1"];
            await using (var broker = await BrokerProcess.StartAsync(overrides, logDir))
            {
                await ProduceAsync(broker, data, 5);
                // One commit, one batch: the group before the damaged batch, in it, and after it.
                await CommitAsync(broker, "before", data, 1);
                await CommitAsync(broker, "damaged", data, 2);
                await CommitAsync(broker, "after", data, 3);
                Assert.Equal(0, await broker.StopAsync(Timeout));
            }

            // After the clean stop, the batch holding group "damaged"'s commit is made undecodable:
            // its attributes say gzip, and its records are not gzip. Nothing checks the CRC of a
            // segment that a clean stop has flushed, so the log loads; the group loading reads it.
            var segment = Path.Combine(logDir, $"{OffsetsTopic}-0", "00000000000000000000.log");
            var bytes = await File.ReadAllBytesAsync(segment);
            var damagedOffset = -1L;
            var batches = 0;
            for (var at = 0; at + RecordBatch.HeaderSize <= bytes.Length && RecordBatch.SizeInBytes(bytes.AsSpan(at)) >= RecordBatch.HeaderSize; at += RecordBatch.SizeInBytes(bytes.AsSpan(at)))
            {
                batches++;
                var batch = bytes.AsSpan(at, RecordBatch.SizeInBytes(bytes.AsSpan(at)));
                if (batch.IndexOf("damaged"u8) >= 0)
                {
                    Assert.Equal(-1, damagedOffset);
                    damagedOffset = RecordBatch.BaseOffset(batch);
                    var attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatch.AttributesOffset..]);
                    BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatch.AttributesOffset..], (short)((attributes & ~0x07) | (int)Gregor.Protocol.Records.CompressionType.Gzip));
                }
            }
            Assert.Equal(3, batches);
            Assert.Equal(1, damagedOffset);
            await File.WriteAllBytesAsync(segment, bytes);

            await using (var broker = await BrokerProcess.StartAsync(overrides, logDir))
            {
                // The groups in the batches on either side load; the damaged one has no offset. (Read
                // with raw OffsetFetch requests: the admin client's answer to a failing coordinator
                // can crash the test process.)
                Assert.Equal(1, await RawCommittedAsync(broker, "before", data));
                Assert.Equal(3, await RawCommittedAsync(broker, "after", data));
                Assert.True(await RawCommittedAsync(broker, "damaged", data) < 0);
                var skipped = broker.Output.Where(line => line.Contains("Skipping the undecodable batch", StringComparison.Ordinal)).ToList();
                Assert.Single(skipped);
                Assert.Contains($"at offset {damagedOffset} of {OffsetsTopic}-0", skipped[0], StringComparison.Ordinal);
                Assert.Contains("gzip", skipped[0], StringComparison.OrdinalIgnoreCase);

                // The coordinator still takes commits, also for the damaged group, and they last.
                await CommitAsync(broker, "damaged", data, 4);
                Assert.Equal(0, await broker.StopAsync(Timeout));
            }
            await using (var broker = await BrokerProcess.StartAsync(overrides, logDir))
            {
                Assert.Equal(4, await RawCommittedAsync(broker, "damaged", data));
                Assert.Equal(3, await RawCommittedAsync(broker, "after", data));
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Theory]
    [InlineData("__cluster_metadata")]
    [InlineData(OffsetsTopic)]
    [InlineData("__transaction_state")]
    public async Task Reserved_topics_cannot_be_created_by_clients(string name)
    {
        await using var broker = await BrokerProcess.StartAsync();
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        var request = new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = 1, ReplicationFactor = 1 }] };
        await connection.SendAsync(request, 7, 1);
        var (_, response) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, TimeSpan.FromSeconds(15));

        var result = Assert.Single(response.Topics);
        Assert.Equal((short)KafkaErrorCode.InvalidRequest, result.ErrorCode);
        Assert.Equal($"Creation of internal topic {name} is prohibited.", result.ErrorMessage);
        Assert.False(Directory.Exists(Path.Combine(broker.LogDir, $"{name}-0")));
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

    private static async Task CommitAsync(BrokerProcess broker, string group, string topic, long offset)
    {
        using var admin = AdminClients.Create(broker.BootstrapServers);
        var result = await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, [new TopicPartitionOffset(topic, 0, offset)])]);
        Assert.All(result.Single().Partitions, p => Assert.False(p.Error.IsError, p.Error.ToString()));
    }

    /// <summary>
    /// A group's committed offset for partition 0 of <paramref name="topic"/> (negative: none), by
    /// OffsetFetch v7, asked again while the coordinator is loading or not available yet.
    /// </summary>
    private static async Task<long> RawCommittedAsync(BrokerProcess broker, string group, string topic)
    {
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        var deadline = DateTime.UtcNow + Timeout;
        for (var correlationId = 1; ; correlationId++)
        {
            var request = new OffsetFetchRequest { GroupId = group, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic, PartitionIndexes = [0] }] };
            await connection.SendAsync(request, 7, correlationId);
            var (_, response) = await connection.ReadResponseAsync<OffsetFetchResponse>(7, Timeout);
            if (response.ErrorCode is (short)KafkaErrorCode.CoordinatorLoadInProgress or (short)KafkaErrorCode.CoordinatorNotAvailable)
            {
                Assert.True(DateTime.UtcNow < deadline, $"OffsetFetch for {group} still answers {(KafkaErrorCode)response.ErrorCode}");
                await Task.Delay(200);
                continue;
            }
            Assert.Equal(0, response.ErrorCode);
            var partition = response.Topics.Single().Partitions.Single();
            Assert.Equal(0, partition.ErrorCode);
            return partition.CommittedOffset;
        }
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

    /// <summary>Kafka's offset-commit key, version 1: group, topic, partition.</summary>
    private static byte[] OffsetCommitKey(string group, string topic, int partition)
    {
        var bytes = new List<byte>();
        Int16(bytes, 1);
        String(bytes, group);
        String(bytes, topic);
        var buffer = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, partition);
        bytes.AddRange(buffer);
        return [.. bytes];
    }

    /// <summary>Kafka's offset-commit value, version 1: offset, metadata, commit and expire timestamps.</summary>
    private static byte[] OffsetCommitValue(long offset)
    {
        var bytes = new List<byte>();
        Int16(bytes, 1);
        var buffer = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buffer, offset);
        bytes.AddRange(buffer);
        String(bytes, "");
        BinaryPrimitives.WriteInt64BigEndian(buffer, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        bytes.AddRange(buffer);
        BinaryPrimitives.WriteInt64BigEndian(buffer, -1);
        bytes.AddRange(buffer);
        return [.. bytes];
    }

    private static void Int16(List<byte> bytes, short value)
    {
        var buffer = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(buffer, value);
        bytes.AddRange(buffer);
    }

    private static void String(List<byte> bytes, string value)
    {
        var encoded = Encoding.UTF8.GetBytes(value);
        Int16(bytes, (short)encoded.Length);
        bytes.AddRange(encoded);
    }
}
