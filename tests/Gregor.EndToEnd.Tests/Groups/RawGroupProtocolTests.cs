using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// Two members driven by hand over real sockets, one connection each (a parked JoinGroup holds
/// its connection, as in Kafka): JoinGroup → SyncGroup → Heartbeat → OffsetCommit → OffsetFetch → LeaveGroup.
/// </summary>
public sealed class RawGroupProtocolTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private int _correlationId;

    private async Task<TResponse> CallAsync<TRequest, TResponse>(RawConnection connection, TRequest request, short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        var id = Interlocked.Increment(ref _correlationId);
        await connection.SendAsync(request, version, id);
        var (correlationId, body) = await connection.ReadResponseAsync<TResponse>(version, Timeout);
        Assert.Equal(id, correlationId);
        return body;
    }

    private static JoinGroupRequest Join(string group, string memberId) => new()
    {
        GroupId = group,
        MemberId = memberId,
        SessionTimeoutMs = 10000,
        RebalanceTimeoutMs = 10000,
        ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = new byte[] { 0, 0, 0, 0, 0, 0 } }],
    };

    [Fact]
    public async Task Two_members_join_sync_heartbeat_commit_fetch_and_leave()
    {
        var group = "raw-" + Guid.NewGuid().ToString("N");
        var topic = "raw-topic-" + Guid.NewGuid().ToString("N");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
        }
        using var a = await RawConnection.ConnectAsync(fixture.Broker.Port);
        using var b = await RawConnection.ConnectAsync(fixture.Broker.Port);

        var coordinator = await CallAsync<FindCoordinatorRequest, FindCoordinatorResponse>(a, new FindCoordinatorRequest { Key = group }, 2);
        Assert.Equal(0, coordinator.ErrorCode);
        Assert.Equal(fixture.Broker.Port, coordinator.Port);

        // A: MEMBER_ID_REQUIRED, then joins and leads generation 1 alone.
        var required = await CallAsync<JoinGroupRequest, JoinGroupResponse>(a, Join(group, ""), 7);
        Assert.Equal((short)ErrorCode.MemberIdRequired, required.ErrorCode);
        var memberA = required.MemberId;
        var joinA = await CallAsync<JoinGroupRequest, JoinGroupResponse>(a, Join(group, memberA), 7);
        Assert.Equal((0, 1, memberA), (joinA.ErrorCode, joinA.GenerationId, joinA.Leader));
        var syncA = await CallAsync<SyncGroupRequest, SyncGroupResponse>(a, new SyncGroupRequest
        {
            GroupId = group,
            GenerationId = 1,
            MemberId = memberA,
            Assignments = [new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = memberA, Assignment = new byte[] { 1 } }],
        }, 5);
        Assert.Equal(new byte[] { 1 }, syncA.Assignment.ToArray());

        // B joins: its JoinGroup parks until A rejoins (A learns of the rebalance from its heartbeat).
        var memberB = (await CallAsync<JoinGroupRequest, JoinGroupResponse>(b, Join(group, ""), 7)).MemberId;
        var bJoinId = Interlocked.Increment(ref _correlationId);
        await b.SendAsync(Join(group, memberB), 7, bJoinId);
        // B's JoinGroup travels on its own connection: until the broker has read it, A's heartbeats
        // are still answered 0, so A heartbeats until it is told of the rebalance.
        var deadline = DateTime.UtcNow + Timeout;
        HeartbeatResponse heartbeat;
        do
        {
            heartbeat = await CallAsync<HeartbeatRequest, HeartbeatResponse>(a, new HeartbeatRequest { GroupId = group, GenerationId = 1, MemberId = memberA }, 4);
            Assert.True(heartbeat.ErrorCode is 0 or (short)ErrorCode.RebalanceInProgress, $"heartbeat answered {heartbeat.ErrorCode}");
        }
        while (heartbeat.ErrorCode == 0 && DateTime.UtcNow < deadline);
        Assert.Equal((short)ErrorCode.RebalanceInProgress, heartbeat.ErrorCode);
        var rejoinA = await CallAsync<JoinGroupRequest, JoinGroupResponse>(a, Join(group, memberA), 7);
        var (bCorrelation, joinB) = await b.ReadResponseAsync<JoinGroupResponse>(7, Timeout);
        Assert.Equal(bJoinId, bCorrelation);
        Assert.Equal((2, memberA, 2), (rejoinA.GenerationId, rejoinA.Leader, rejoinA.Members.Count));
        Assert.Equal((2, memberA, 0), (joinB.GenerationId, joinB.Leader, joinB.Members.Count));

        // B's SyncGroup waits for the leader's assignment, which is relayed byte for byte.
        var bSyncId = Interlocked.Increment(ref _correlationId);
        await b.SendAsync(new SyncGroupRequest { GroupId = group, GenerationId = 2, MemberId = memberB }, 3, bSyncId);
        var leaderSync = await CallAsync<SyncGroupRequest, SyncGroupResponse>(a, new SyncGroupRequest
        {
            GroupId = group,
            GenerationId = 2,
            MemberId = memberA,
            Assignments =
            [
                new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = memberA, Assignment = new byte[] { 0xA } },
                new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = memberB, Assignment = new byte[] { 0xB, 0xB } },
            ],
        }, 5);
        Assert.Equal(new byte[] { 0xA }, leaderSync.Assignment.ToArray());
        var (_, syncB) = await b.ReadResponseAsync<SyncGroupResponse>(3, Timeout);
        Assert.Equal(new byte[] { 0xB, 0xB }, syncB.Assignment.ToArray());
        foreach (var (connection, member) in new[] { (a, memberA), (b, memberB) })
        {
            Assert.Equal(0, (await CallAsync<HeartbeatRequest, HeartbeatResponse>(connection, new HeartbeatRequest { GroupId = group, GenerationId = 2, MemberId = member }, 0)).ErrorCode);
        }

        // Commits by both members, then fetches in the single-group (v5) and multi-group (v8) layouts.
        var commit = await CallAsync<OffsetCommitRequest, OffsetCommitResponse>(a, new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = 2,
            MemberId = memberA,
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = topic,
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42, CommittedLeaderEpoch = 0, CommittedMetadata = "from-a" }],
            }, new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = "no-such-topic",
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }],
            }],
        }, 8);
        Assert.Equal([(short)0, (short)ErrorCode.UnknownTopicOrPartition], commit.Topics.Select(t => t.Partitions[0].ErrorCode));
        var commitB = await CallAsync<OffsetCommitRequest, OffsetCommitResponse>(b, new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = 2,
            MemberId = memberB,
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = topic,
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 1, CommittedOffset = 7, CommittedMetadata = null }],
            }],
        }, 2);
        Assert.Equal(0, commitB.Topics[0].Partitions[0].ErrorCode);

        var fetchV5 = await CallAsync<OffsetFetchRequest, OffsetFetchResponse>(b, new OffsetFetchRequest
        {
            GroupId = group,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = topic, PartitionIndexes = [0, 1] }],
        }, 5);
        Assert.Equal(0, fetchV5.ErrorCode);
        var partitions = fetchV5.Topics.Single().Partitions;
        Assert.Equal((42L, 0, "from-a"), (partitions[0].CommittedOffset, partitions[0].CommittedLeaderEpoch, partitions[0].Metadata));
        Assert.Equal((7L, -1, ""), (partitions[1].CommittedOffset, partitions[1].CommittedLeaderEpoch, partitions[1].Metadata));

        var fetchV8 = await CallAsync<OffsetFetchRequest, OffsetFetchResponse>(a, new OffsetFetchRequest
        {
            Groups =
            [
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = group, Topics = null },
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "never-seen", Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = topic, PartitionIndexes = [0] }] },
            ],
        }, 8);
        Assert.Equal([42L, 7L], fetchV8.Groups[0].Topics.Single().Partitions.Select(p => p.CommittedOffset));
        Assert.Equal(-1L, fetchV8.Groups[1].Topics.Single().Partitions.Single().CommittedOffset);

        // Both leave in one batched LeaveGroup (v3+); the group is then Empty, its offsets kept.
        var leave = await CallAsync<LeaveGroupRequest, LeaveGroupResponse>(a, new LeaveGroupRequest
        {
            GroupId = group,
            Members = [new LeaveGroupRequest.MemberIdentity { MemberId = memberA }, new LeaveGroupRequest.MemberIdentity { MemberId = memberB }],
        }, 4);
        Assert.Equal(0, leave.ErrorCode);
        Assert.All(leave.Members, m => Assert.Equal(0, m.ErrorCode));
        var described = await CallAsync<DescribeGroupsRequest, DescribeGroupsResponse>(a, new DescribeGroupsRequest { Groups = [group] }, 5);
        Assert.Equal(("Empty", 0), (described.Groups[0].GroupState, described.Groups[0].Members.Count));
        var listed = await CallAsync<ListGroupsRequest, ListGroupsResponse>(a, new ListGroupsRequest { StatesFilter = ["Empty"] }, 4);
        Assert.Contains(listed.Groups, g => g.GroupId == group && g.GroupState == "Empty");
    }
}
