using Gregor.Protocol.Errors;

namespace Gregor.Broker.Groups;

/// <summary>What a member sends in JoinGroup. <see cref="RequireKnownMemberId"/> is JoinGroup v4+
/// (a new member first gets MEMBER_ID_REQUIRED and its id); <see cref="SupportsSkippingAssignment"/>
/// is v9+ (KIP-814).</summary>
public sealed record JoinGroupParameters
{
    public required string GroupId { get; init; }

    public string MemberId { get; init; } = "";

    public string? GroupInstanceId { get; init; }

    public required string ClientId { get; init; }

    public required string ClientHost { get; init; }

    public required int SessionTimeoutMs { get; init; }

    /// <summary>JoinGroup v0 has none: Kafka uses the session timeout.</summary>
    public required int RebalanceTimeoutMs { get; init; }

    public required string ProtocolType { get; init; }

    public required IReadOnlyList<GroupProtocol> Protocols { get; init; }

    public bool RequireKnownMemberId { get; init; }

    public bool SupportsSkippingAssignment { get; init; }
}

/// <summary>A member of a JoinGroup response (only the leader gets them).</summary>
public sealed record JoinGroupResponseMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

public sealed record JoinGroupResult(
    ErrorCode Error,
    string MemberId,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    bool SkipAssignment = false,
    IReadOnlyList<JoinGroupResponseMember>? Members = null)
{
    public IReadOnlyList<JoinGroupResponseMember> MembersOrEmpty => Members ?? [];

    public static JoinGroupResult Failure(ErrorCode error, string memberId = "") => new(error, memberId);
}

public sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType = null, string? ProtocolName = null, byte[]? Assignment = null)
{
    public static SyncGroupResult Failure(ErrorCode error) => new(error);
}

/// <summary>A member to remove in LeaveGroup: by member id, or (v3+, administrative removal) by
/// group instance id with an empty member id.</summary>
public sealed record LeavingMember(string MemberId, string? GroupInstanceId);

public sealed record LeaveGroupResult(ErrorCode Error, IReadOnlyList<(LeavingMember Member, ErrorCode Error)> Members);

/// <summary>DescribeGroups' view of one member: metadata and assignment only when the group is Stable.</summary>
public sealed record MemberSummary(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

public sealed record GroupSummary(ErrorCode Error, string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<MemberSummary> Members);

public sealed record GroupOverview(string GroupId, string ProtocolType, GroupState State);

/// <summary>An OffsetFetch answer for one partition; offset -1 and "" metadata when nothing is committed.</summary>
public sealed record FetchedOffset(TopicPartitionId Partition, long Offset, int LeaderEpoch, string? Metadata, ErrorCode Error);

/// <summary>An offset to commit; null metadata is stored as "".</summary>
public sealed record OffsetCommitEntry(TopicPartitionId Partition, long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp = -1);

/// <summary>What an OffsetCommit request carries besides its offsets. Generation -1 and an empty member
/// id are a "simple" commit from a consumer not using group management (v0, or assign()).</summary>
public sealed record OffsetCommitParameters
{
    public required string GroupId { get; init; }

    public int GenerationId { get; init; } = -1;

    public string MemberId { get; init; } = "";

    public string? GroupInstanceId { get; init; }

    /// <summary>OffsetCommit v2-4: -1 means the broker's retention.</summary>
    public long RetentionTimeMs { get; init; } = -1;

    public required IReadOnlyList<OffsetCommitEntry> Offsets { get; init; }
}
