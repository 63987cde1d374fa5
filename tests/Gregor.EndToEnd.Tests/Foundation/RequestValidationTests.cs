using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// Requests that are well framed but carry what Kafka refuses: strings longer than an int16
/// length even in flexible versions, partitions listed twice, settings a single broker cannot
/// honour. Each gets Kafka's error or a closed connection with one log line, never a handler
/// or writer exception, and nothing is created for a request that was refused.
/// </summary>
public sealed class RequestValidationTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A 40,000-byte name: fits a flexible request's compact string, not Kafka's 32,767-byte string limit.</summary>
    private static readonly string Huge = new('g', 40_000);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(TRequest request, short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        await connection.SendAsync(request, version, 1);
        return (await connection.ReadResponseAsync<TResponse>(version, Timeout)).Body;
    }

    private async Task<string> CreateTopicAsync(int partitions = 1, Dictionary<string, string>? configs = null)
    {
        var topic = $"validation-{Guid.NewGuid():N}";
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = topic,
                    NumPartitions = partitions,
                    ReplicationFactor = 1,
                    Configs = (configs ?? []).Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }).ToList(),
                },
            ],
        };
        var created = await CallAsync<CreateTopicsRequest, CreateTopicsResponse>(request, 7);
        Assert.Equal(0, created.Topics[0].ErrorCode);
        return topic;
    }

    private async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(string topic, short acks, int records = 5)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < records; i++)
        {
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, new byte[10]);
        }
        var request = new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = builder.Build() }] }],
        };
        return (await CallAsync<ProduceRequest, ProduceResponse>(request, 9)).Responses[0].PartitionResponses[0];
    }

    private async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> ListOffsetAsync(string topic, long timestamp, short version = 9)
    {
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
        };
        return (await CallAsync<ListOffsetsRequest, ListOffsetsResponse>(request, version)).Topics[0].Partitions[0];
    }

    /// <summary>Lines where the broker reported a failure of its own rather than a bad request.</summary>
    private IEnumerable<string> BrokerFailures() =>
        fixture.Broker.Output.Where(l => l.Contains("failed", StringComparison.Ordinal) && (l.Contains("Handler for", StringComparison.Ordinal) || l.Contains("Connection", StringComparison.Ordinal))
            || l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));

    public static TheoryData<string> HugeStringRequests() => ["JoinGroup v6", "OffsetCommit v8", "DescribeGroups v5", "ListGroups v4", "CreateTopics v5", "DescribeConfigs v4", "FindCoordinator v3"];

    private static byte[] HugeStringRequest(string name) => name switch
    {
        "JoinGroup v6" => RawConnection.BuildRequest(
            new JoinGroupRequest { GroupId = Huge, SessionTimeoutMs = 10_000, RebalanceTimeoutMs = 10_000, MemberId = "", ProtocolType = "consumer", Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[4] }] }, 6, 1),
        "OffsetCommit v8" => RawConnection.BuildRequest(
            new OffsetCommitRequest { GroupId = Huge, GenerationIdOrMemberEpoch = -1, MemberId = "", Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = "t", Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }] }] }, 8, 1),
        "DescribeGroups v5" => RawConnection.BuildRequest(new DescribeGroupsRequest { Groups = [Huge] }, 5, 1),
        "ListGroups v4" => RawConnection.BuildRequest(new ListGroupsRequest { StatesFilter = [Huge] }, 4, 1),
        "CreateTopics v5" => RawConnection.BuildRequest(
            new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = Huge, NumPartitions = 1, ReplicationFactor = 1 }] }, 5, 1),
        "DescribeConfigs v4" => RawConnection.BuildRequest(
            new DescribeConfigsRequest { Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = Huge }] }, 4, 1),
        "FindCoordinator v3" => RawConnection.BuildRequest(new FindCoordinatorRequest { Key = Huge }, 3, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(HugeStringRequests))]
    public async Task A_string_longer_than_32767_bytes_closes_the_connection_with_one_line_and_creates_nothing(string name)
    {
        using (var connection = await RawConnection.ConnectAsync(fixture.Broker.Port))
        {
            await connection.SendRawAsync(HugeStringRequest(name));
            Assert.True(await connection.IsClosedByBrokerAsync(Timeout), $"{name}: the broker should refuse the request by closing the connection");
        }
        await fixture.Broker.WaitForOutputAsync("Closing connection .*32767", Timeout);

        // Every older version that writes group ids in int16 strings still answers everyone.
        for (short version = 0; version <= 2; version++)
        {
            var listed = await CallAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest(), version);
            Assert.Equal(0, listed.ErrorCode);
            Assert.DoesNotContain(listed.Groups, g => g.GroupId.Length > short.MaxValue);
        }
        for (short version = 0; version <= 4; version++)
        {
            var described = await CallAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["some-group"] }, version);
            Assert.Equal("some-group", described.Groups[0].GroupId);
        }
        Assert.Empty(BrokerFailures());
    }

    [Fact]
    public async Task An_error_message_quoting_a_name_of_the_longest_length_is_still_written()
    {
        // DescribeConfigs v0 (int16 strings) for a "broker" named by 32,767 bytes: the error message
        // quotes the name, so it is longer than any int16 string; it is answered, cut to fit.
        var name = new string('x', short.MaxValue);
        var request = new DescribeConfigsRequest { Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = name }] };
        var response = await CallAsync<DescribeConfigsRequest, DescribeConfigsResponse>(request, 0);
        var result = response.Results[0];
        Assert.Equal((short)ErrorCode.InvalidRequest, result.ErrorCode);
        Assert.Equal(name, result.ResourceName);
        Assert.Equal(short.MaxValue, result.ErrorMessage!.Length);
        Assert.StartsWith("Broker id must be an integer", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(BrokerFailures());
    }

    [Theory]
    [InlineData((short)3)]
    [InlineData((short)12)]
    public async Task Fetch_listing_a_partition_several_times_reads_it_once(short version)
    {
        var topic = await CreateTopicAsync();
        await ProduceAsync(topic, acks: 1, records: 10);
        FetchRequest.FetchPartition Listing(long offset) => new() { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1 << 20 };
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 0,
            MaxBytes = 50 << 20,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [Listing(0), Listing(0), Listing(0), Listing(20)] }],
        };
        var response = await CallAsync<FetchRequest, FetchResponse>(request, version);
        var partition = Assert.Single(Assert.Single(response.Responses).Partitions);
        // The last listing's offset (20, past the end) is the one fetched, as in Kafka.
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, partition.ErrorCode);
        Assert.Empty(BrokerFailures());
    }

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)3)]
    public async Task Down_converted_records_stay_within_partition_max_bytes(short version)
    {
        // Legacy messages of small records are about twice their v2 size: converting everything
        // the limit let through would answer twice the limit.
        var topic = await CreateTopicAsync();
        for (var i = 0; i < 20; i++)
        {
            await ProduceAsync(topic, acks: 1, records: 10);
        }
        const int limit = 2000;
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 0,
            MaxBytes = 50 << 20,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = limit }] }],
        };
        var partition = (await CallAsync<FetchRequest, FetchResponse>(request, version)).Responses[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        var records = partition.Records!.Value;
        Assert.InRange(records.Length, 1, limit);
        Assert.Equal(0, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(records.Span)); // the first message's offset
        Assert.Empty(BrokerFailures());
    }

    [Fact]
    public async Task OffsetDelete_listing_a_partition_twice_answers_each_entry()
    {
        var topic = await CreateTopicAsync();
        var group = $"od-{Guid.NewGuid():N}";
        var commit = new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic { Name = topic, Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 3 }] }],
        };
        var committed = await CallAsync<OffsetCommitRequest, OffsetCommitResponse>(commit, 2);
        Assert.Equal(0, committed.Topics[0].Partitions[0].ErrorCode);

        var twice = new OffsetDeleteRequest.OffsetDeleteRequestPartition[] { new() { PartitionIndex = 0 }, new() { PartitionIndex = 0 } };
        var deleted = await CallAsync<OffsetDeleteRequest, OffsetDeleteResponse>(
            new OffsetDeleteRequest { GroupId = group, Topics = [new OffsetDeleteRequest.OffsetDeleteRequestTopic { Name = topic, Partitions = [.. twice] }] }, 0);
        Assert.Equal(0, deleted.ErrorCode);
        Assert.Equal([0, 0], deleted.Topics[0].Partitions.Select(p => (int)p.ErrorCode));

        var fetched = await CallAsync<OffsetFetchRequest, OffsetFetchResponse>(
            new OffsetFetchRequest { GroupId = group, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic, PartitionIndexes = [0] }] }, 1);
        Assert.Equal(-1, fetched.Topics[0].Partitions[0].CommittedOffset);
        Assert.Empty(BrokerFailures());
    }

    [Fact]
    public async Task CreateTopics_with_a_partition_assigned_twice_is_an_invalid_replica_assignment()
    {
        var topic = $"validation-{Guid.NewGuid():N}";
        var request = new CreateTopicsRequest
        {
            Topics =
            [
                new CreateTopicsRequest.CreatableTopic
                {
                    Name = topic,
                    NumPartitions = -1,
                    ReplicationFactor = -1,
                    Assignments =
                    [
                        new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [0] },
                        new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [0] },
                    ],
                },
            ],
        };
        var created = await CallAsync<CreateTopicsRequest, CreateTopicsResponse>(request, 7);
        Assert.Equal((short)ErrorCode.InvalidReplicaAssignment, created.Topics[0].ErrorCode);

        var metadata = await CallAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false }, 9);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, metadata.Topics[0].ErrorCode);
        Assert.Empty(BrokerFailures());
    }

    [Fact]
    public async Task Acks_all_to_a_topic_wanting_two_in_sync_replicas_is_not_enough_replicas_and_appends_nothing()
    {
        var topic = await CreateTopicAsync(configs: new() { ["min.insync.replicas"] = "2" });

        var refused = await ProduceAsync(topic, acks: -1);
        Assert.Equal((short)ErrorCode.NotEnoughReplicas, refused.ErrorCode);
        Assert.Equal(0, (await ListOffsetAsync(topic, -1)).Offset);

        var accepted = await ProduceAsync(topic, acks: 1);
        Assert.Equal(0, accepted.ErrorCode);
        Assert.Equal(0, accepted.BaseOffset);
        Assert.Equal(5, (await ListOffsetAsync(topic, -1)).Offset);
    }

    [Fact]
    public async Task ListOffsets_earliest_local_is_the_log_start_offset_and_latest_tiered_is_none()
    {
        var topic = await CreateTopicAsync();
        await ProduceAsync(topic, acks: 1, records: 10);
        var deleted = await CallAsync<DeleteRecordsRequest, DeleteRecordsResponse>(
            new DeleteRecordsRequest { TimeoutMs = 5000, Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = topic, Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = 0, Offset = 4 }] }] }, 1);
        Assert.Equal(4, deleted.Topics[0].Partitions[0].LowWatermark);

        var earliestLocal = await ListOffsetAsync(topic, -4);
        Assert.Equal(0, earliestLocal.ErrorCode);
        Assert.Equal(4, earliestLocal.Offset);
        Assert.Equal(-1, earliestLocal.Timestamp);

        // No tiered storage: nothing has been uploaded, so there is no latest tiered offset.
        var latestTiered = await ListOffsetAsync(topic, -5);
        Assert.Equal(0, latestTiered.ErrorCode);
        Assert.Equal(-1, latestTiered.Offset);

        var maxTimestamp = await ListOffsetAsync(topic, -3);
        Assert.Equal(0, maxTimestamp.ErrorCode);
        Assert.InRange(maxTimestamp.Offset, 4, 9);
    }
}
