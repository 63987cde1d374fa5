namespace Gregor.Broker.Groups;

/// <summary>
/// One member of a group. Owned by its <see cref="GroupMetadata"/>: read and written only under
/// the group's lock. <see cref="AwaitingJoin"/> / <see cref="AwaitingSync"/> hold the member's
/// parked JoinGroup / SyncGroup response; they are completed (with continuations run
/// asynchronously, never inside the lock) exactly once and then cleared.
/// </summary>
internal sealed class MemberMetadata
{
    public MemberMetadata(string memberId, JoinGroupParameters join)
    {
        MemberId = memberId;
        GroupInstanceId = join.GroupInstanceId;
        ClientId = join.ClientId;
        ClientHost = join.ClientHost;
        RebalanceTimeoutMs = join.RebalanceTimeoutMs;
        SessionTimeoutMs = join.SessionTimeoutMs;
        ProtocolType = join.ProtocolType;
        Protocols = join.Protocols;
    }

    /// <summary>Restores a member from a stored GroupMetadataValue.</summary>
    public MemberMetadata(string memberId, string? groupInstanceId, string clientId, string clientHost, int rebalanceTimeoutMs,
        int sessionTimeoutMs, string protocolType, IReadOnlyList<GroupProtocol> protocols, byte[] assignment)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
        RebalanceTimeoutMs = rebalanceTimeoutMs;
        SessionTimeoutMs = sessionTimeoutMs;
        ProtocolType = protocolType;
        Protocols = protocols;
        Assignment = assignment;
    }

    /// <summary>Changes only when a static member is replaced by its restarted instance.</summary>
    public string MemberId { get; set; }

    public string? GroupInstanceId { get; }

    public bool IsStatic => GroupInstanceId is not null;

    public string ClientId { get; set; }

    public string ClientHost { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public int SessionTimeoutMs { get; set; }

    public string ProtocolType { get; }

    public IReadOnlyList<GroupProtocol> Protocols { get; set; }

    public byte[] Assignment { get; set; } = [];

    public TaskCompletionSource<JoinGroupResult>? AwaitingJoin { get; set; }

    public TaskCompletionSource<SyncGroupResult>? AwaitingSync { get; set; }

    public bool IsAwaitingJoin => AwaitingJoin is not null;

    public bool IsAwaitingSync => AwaitingSync is not null;

    /// <summary>Joined but not yet through a completed join phase: it has no generation, cannot
    /// heartbeat, and expires after NewMemberJoinTimeoutMs instead of its session timeout.</summary>
    public bool IsNew { get; set; }

    /// <summary>Monotonic ms after which the member is considered failed, unless it is parked in
    /// JoinGroup/SyncGroup (which counts as a heartbeat, new members excepted).</summary>
    public long HeartbeatDeadline { get; set; } = long.MaxValue;

    public DeadlineTimer? SessionTimer { get; set; }

    public byte[]? MetadataFor(string protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol)
            {
                return p.Metadata;
            }
        }
        return null;
    }

    /// <summary>Same protocols, in the same order, with the same metadata bytes.</summary>
    public bool Matches(IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocols.Count != Protocols.Count)
        {
            return false;
        }
        for (var i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }
        return true;
    }
}
