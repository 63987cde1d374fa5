using Gregor.Protocol.Errors;

namespace Gregor.Broker.Groups;

/// <summary>
/// One group's membership, generation and committed offsets.
/// Ownership: every field is read and written only while holding <see cref="Lock"/>; the
/// coordinator takes it for each request and timer callback touching the group, and never awaits
/// while holding it. Parked JoinGroup/SyncGroup responses are completed under the lock with
/// TaskCompletionSources created with RunContinuationsAsynchronously, so no continuation runs
/// inside it. Invariants: <see cref="NumMembersAwaitingJoin"/> equals the number of members whose
/// AwaitingJoin is set; <see cref="LeaderId"/> is a member (or null when there are none);
/// <see cref="StaticMembers"/> maps each static member's instance id to its current member id.
/// </summary>
internal sealed class GroupMetadata
{
    private readonly Dictionary<string, int> _supportedProtocols = new(StringComparer.Ordinal);

    public GroupMetadata(string groupId, GroupState initialState, long nowMs, OffsetsPartitionTerm term)
    {
        GroupId = groupId;
        Term = term;
        State = initialState;
        CurrentStateTimestamp = nowMs;
    }

    public Lock Lock { get; } = new();

    public string GroupId { get; }

    /// <summary>The coordinator's ownership of the group's __consumer_offsets partition that created
    /// or loaded this group: its records are stored only while that term owns the partition.</summary>
    public OffsetsPartitionTerm Term { get; }

    public GroupState State { get; private set; }

    /// <summary>Wall-clock ms of the last state change (stored as currentStateTimestamp; an empty
    /// group's offsets expire counting from it).</summary>
    public long CurrentStateTimestamp { get; set; }

    public int GenerationId { get; set; }

    /// <summary>Set by the first member; null for a group only used to store offsets.</summary>
    public string? ProtocolType { get; set; }

    /// <summary>The protocol chosen for the current generation; null when the group is Empty.</summary>
    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    /// <summary>Members in join order.</summary>
    public OrderedDictionary<string, MemberMetadata> Members { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED, not yet joined, with their expiry timers.</summary>
    public Dictionary<string, DeadlineTimer> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Members of the new generation that have not yet sent SyncGroup.</summary>
    public HashSet<string> PendingSyncMembers { get; } = new(StringComparer.Ordinal);

    public int NumMembersAwaitingJoin { get; private set; }

    /// <summary>A member joined during the initial rebalance delay, which extends it once more.</summary>
    public bool NewMemberAdded { get; set; }

    /// <summary>Topics the members subscribe to (from the consumer protocol's subscriptions);
    /// null when not a consumer group or a subscription could not be read.</summary>
    public IReadOnlySet<string>? SubscribedTopics { get; set; }

    public Dictionary<TopicPartitionId, OffsetAndMetadata> Offsets { get; } = [];

    /// <summary>Commits written to the store but not yet applied, per partition (for RequireStable and expiry).</summary>
    public Dictionary<TopicPartitionId, int> PendingOffsetCommits { get; } = [];

    // ----- Rebalance timers (monotonic deadlines; long.MaxValue: none) -----
    public DeadlineTimer? JoinTimer { get; set; }

    public long JoinDeadline { get; set; } = long.MaxValue;

    /// <summary>The pending join is group.initial.rebalance.delay.ms (it does not complete early).</summary>
    public bool JoinIsInitialDelay { get; set; }

    public long InitialDelayRemainingMs { get; set; }

    public DeadlineTimer? SyncTimer { get; set; }

    public long SyncDeadline { get; set; } = long.MaxValue;

    public int SyncGeneration { get; set; }

    public bool Is(GroupState state) => State == state;

    public bool IsEmptyOfMembers => Members.Count == 0;

    public bool HasOffsets => Offsets.Count > 0 || PendingOffsetCommits.Count > 0;

    public bool CanRebalance => State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty;

    public bool HasAllMembersJoined => Members.Count == NumMembersAwaitingJoin && PendingMembers.Count == 0;

    public int RebalanceTimeoutMs => Members.Values.Aggregate(0, (max, m) => Math.Max(max, m.RebalanceTimeoutMs));

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public bool Has(string memberId) => Members.ContainsKey(memberId);

    public MemberMetadata Get(string memberId) => Members[memberId];

    public bool IsPendingMember(string memberId) => PendingMembers.ContainsKey(memberId);

    public string? CurrentStaticMemberId(string? groupInstanceId) =>
        groupInstanceId is not null && StaticMembers.TryGetValue(groupInstanceId, out var id) ? id : null;

    /// <summary>A known instance id presented with a member id other than its current one.</summary>
    public bool IsStaticMemberFenced(string? groupInstanceId, string memberId) =>
        groupInstanceId is not null && StaticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId;

    public void TransitionTo(GroupState target, long nowMs)
    {
        if (!GroupStateTransitions.IsValidPrevious(target, State))
        {
            throw new InvalidOperationException($"group {GroupId} cannot go from {State} to {target}");
        }
        State = target;
        CurrentStateTimestamp = nowMs;
    }

    public void Add(MemberMetadata member, TaskCompletionSource<JoinGroupResult>? joinCallback)
    {
        if (Members.Count == 0)
        {
            ProtocolType = member.ProtocolType;
        }
        LeaderId ??= member.MemberId;
        Members.Add(member.MemberId, member);
        if (member.GroupInstanceId is not null)
        {
            StaticMembers[member.GroupInstanceId] = member.MemberId;
        }
        AddSupportedProtocols(member);
        member.AwaitingJoin = joinCallback;
        if (joinCallback is not null)
        {
            NumMembersAwaitingJoin++;
        }
        PendingMembers.Remove(member.MemberId);
    }

    /// <summary>Removes a member (its parked responses must have been completed by the caller);
    /// a departing leader is replaced by the first remaining member.</summary>
    public void Remove(string memberId)
    {
        if (!Members.Remove(memberId, out var member))
        {
            return;
        }
        RemoveSupportedProtocols(member);
        if (member.IsAwaitingJoin)
        {
            NumMembersAwaitingJoin--;
        }
        member.AwaitingJoin = null;
        member.AwaitingSync = null;
        member.SessionTimer?.Dispose();
        member.SessionTimer = null;
        if (member.GroupInstanceId is not null && StaticMembers.TryGetValue(member.GroupInstanceId, out var id) && id == memberId)
        {
            StaticMembers.Remove(member.GroupInstanceId);
        }
        PendingSyncMembers.Remove(memberId);
        if (LeaderId == memberId)
        {
            LeaderId = Members.Count > 0 ? Members.GetAt(0).Key : null;
        }
    }

    /// <summary>Gives a restarted static member's place (assignment included) a new member id; the
    /// old id's parked responses are answered FENCED_INSTANCE_ID.</summary>
    public MemberMetadata ReplaceStaticMember(string groupInstanceId, string oldMemberId, string newMemberId)
    {
        var index = Members.IndexOf(oldMemberId);
        var member = Members.GetAt(index).Value;
        MaybeInvokeJoinCallback(member, JoinGroupResult.Failure(ErrorCode.FencedInstanceId, oldMemberId));
        MaybeInvokeSyncCallback(member, SyncGroupResult.Failure(ErrorCode.FencedInstanceId));
        Members.RemoveAt(index);
        member.MemberId = newMemberId;
        Members.Insert(index, newMemberId, member);
        if (LeaderId == oldMemberId)
        {
            LeaderId = newMemberId;
        }
        if (PendingSyncMembers.Remove(oldMemberId))
        {
            PendingSyncMembers.Add(newMemberId);
        }
        StaticMembers[groupInstanceId] = newMemberId;
        return member;
    }

    public void UpdateMember(MemberMetadata member, JoinGroupParameters join, TaskCompletionSource<JoinGroupResult>? joinCallback)
    {
        RemoveSupportedProtocols(member);
        member.Protocols = join.Protocols;
        member.RebalanceTimeoutMs = join.RebalanceTimeoutMs;
        member.SessionTimeoutMs = join.SessionTimeoutMs;
        member.ClientId = join.ClientId;
        member.ClientHost = join.ClientHost;
        AddSupportedProtocols(member);
        if (joinCallback is not null && !member.IsAwaitingJoin)
        {
            NumMembersAwaitingJoin++;
        }
        else if (joinCallback is null && member.IsAwaitingJoin)
        {
            NumMembersAwaitingJoin--;
        }
        member.AwaitingJoin = joinCallback;
    }

    public bool MaybeInvokeJoinCallback(MemberMetadata member, JoinGroupResult result)
    {
        var callback = member.AwaitingJoin;
        if (callback is null)
        {
            return false;
        }
        member.AwaitingJoin = null;
        NumMembersAwaitingJoin--;
        callback.TrySetResult(result);
        return true;
    }

    public bool MaybeInvokeSyncCallback(MemberMetadata member, SyncGroupResult result)
    {
        var callback = member.AwaitingSync;
        if (callback is null)
        {
            return false;
        }
        member.AwaitingSync = null;
        callback.TrySetResult(result);
        return true;
    }

    /// <summary>A new group accepts any protocol type; a group with members needs the same type and
    /// at least one protocol that every member supports.</summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        if (Members.Count == 0)
        {
            return protocolType.Length > 0 && protocols.Count > 0;
        }
        return ProtocolType == protocolType
            && protocols.Any(p => _supportedProtocols.GetValueOrDefault(p.Name) == Members.Count);
    }

    /// <summary>
    /// Kafka's choice: among the protocols every member supports, each member votes for the first
    /// one in its own preference order; the most votes wins (ties go to the candidate the earliest
    /// member prefers).
    /// </summary>
    public string SelectProtocol()
    {
        if (Members.Count == 0)
        {
            throw new InvalidOperationException("cannot select a protocol for a group without members");
        }
        var candidates = _supportedProtocols.Where(kv => kv.Value == Members.Count).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var member in Members.Values)
        {
            var vote = member.Protocols.First(p => candidates.Contains(p.Name)).Name;
            if (!votes.TryAdd(vote, 1))
            {
                votes[vote]++;
            }
            else
            {
                order.Add(vote);
            }
        }
        var best = order[0];
        foreach (var name in order)
        {
            if (votes[name] > votes[best])
            {
                best = name;
            }
        }
        return best;
    }

    /// <summary>Dynamic members that have not rejoined during the current PreparingRebalance.</summary>
    public List<MemberMetadata> NotYetRejoinedMembers() => Members.Values.Where(m => !m.IsAwaitingJoin).ToList();

    /// <summary>Keeps the leader if it rejoined, else picks a member that did; false when none did.</summary>
    public bool MaybeElectNewJoinedLeader()
    {
        if (LeaderId is not null && Members.TryGetValue(LeaderId, out var leader) && leader.IsAwaitingJoin)
        {
            return true;
        }
        var joined = Members.Values.FirstOrDefault(m => m.IsAwaitingJoin);
        if (joined is null)
        {
            return false;
        }
        LeaderId = joined.MemberId;
        return true;
    }

    /// <summary>Members and their metadata for the chosen protocol, as the leader's JoinGroup response carries them.</summary>
    public List<JoinGroupResponseMember> CurrentMemberMetadata()
    {
        var protocol = ProtocolName ?? throw new InvalidOperationException("no protocol selected");
        return Members.Values.Select(m => new JoinGroupResponseMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(protocol) ?? [])).ToList();
    }

    public GroupSummary Summary()
    {
        if (State == GroupState.Stable)
        {
            var protocol = ProtocolName ?? "";
            return new GroupSummary(ErrorCode.None, GroupId, State.ToString(), ProtocolType ?? "", protocol,
                Members.Values.Select(m => new MemberSummary(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.MetadataFor(protocol) ?? [], m.Assignment)).ToList());
        }
        return new GroupSummary(ErrorCode.None, GroupId, State.ToString(), ProtocolType ?? "", "",
            Members.Values.Select(m => new MemberSummary(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, [], [])).ToList());
    }

    /// <summary>Recomputes <see cref="SubscribedTopics"/> for consumer groups from the members'
    /// subscriptions to the selected protocol.</summary>
    public void ComputeSubscribedTopics()
    {
        SubscribedTopics = null;
        if (ProtocolType != ConsumerProtocolSubscription.ProtocolType || ProtocolName is null)
        {
            return;
        }
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in Members.Values)
        {
            var metadata = member.MetadataFor(ProtocolName);
            if (metadata is null || !ConsumerProtocolSubscription.TryReadTopics(metadata, topics))
            {
                return;
            }
        }
        SubscribedTopics = topics;
    }

    public bool IsSubscribedToTopic(string topic) => SubscribedTopics?.Contains(topic) ?? false;

    private void AddSupportedProtocols(MemberMetadata member)
    {
        foreach (var name in member.Protocols.Select(p => p.Name).Distinct(StringComparer.Ordinal))
        {
            _supportedProtocols[name] = _supportedProtocols.GetValueOrDefault(name) + 1;
        }
    }

    private void RemoveSupportedProtocols(MemberMetadata member)
    {
        foreach (var name in member.Protocols.Select(p => p.Name).Distinct(StringComparer.Ordinal))
        {
            var count = _supportedProtocols.GetValueOrDefault(name) - 1;
            if (count <= 0)
            {
                _supportedProtocols.Remove(name);
            }
            else
            {
                _supportedProtocols[name] = count;
            }
        }
    }
}
