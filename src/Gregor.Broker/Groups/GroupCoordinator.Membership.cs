using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>Heartbeat, LeaveGroup, and the expiry of members that stop heartbeating.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Handles a Heartbeat: keeps the member alive and tells it whether a rebalance is under way
    /// (REBALANCE_IN_PROGRESS while preparing one, so it rejoins). While the group's partition
    /// loads, Kafka answers NONE: the member keeps its session and older clients do not expect
    /// COORDINATOR_LOAD_IN_PROGRESS here.
    /// </summary>
    public ErrorCode Heartbeat(string groupId, string memberId, string? groupInstanceId, int generationId)
    {
        var error = ValidateGroupStatus(groupId, allowEmptyGroupId: false);
        if (error == ErrorCode.CoordinatorLoadInProgress)
        {
            return ErrorCode.None;
        }
        if (error != ErrorCode.None)
        {
            return error;
        }
        if (!TryGetGroup(groupId, out var group))
        {
            return Missing(groupId, ErrorCode.UnknownMemberId);
        }
        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return DeadGroupError(group);
            }
            if (group.IsStaticMemberFenced(groupInstanceId, memberId))
            {
                return ErrorCode.FencedInstanceId;
            }
            if (!group.Has(memberId))
            {
                return ErrorCode.UnknownMemberId;
            }
            if (generationId != group.GenerationId)
            {
                return ErrorCode.IllegalGeneration;
            }
            var member = group.Get(memberId);
            switch (group.State)
            {
                case GroupState.Empty:
                    return ErrorCode.UnknownMemberId;
                case GroupState.PreparingRebalance:
                    ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
                    return ErrorCode.RebalanceInProgress;
                default:
                    // CompletingRebalance too: a member may heartbeat between its JoinGroup and SyncGroup.
                    ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
                    return ErrorCode.None;
            }
        }
    }

    /// <summary>
    /// Handles a LeaveGroup for one or more members (v3+ batches them; a static member may be
    /// removed by instance id alone). The top-level error is for the group; each member has its own.
    /// </summary>
    public LeaveGroupResult LeaveGroup(string groupId, IReadOnlyList<LeavingMember> members)
    {
        var error = ValidateGroupStatus(groupId, allowEmptyGroupId: false);
        if (error != ErrorCode.None)
        {
            return new LeaveGroupResult(error, []);
        }
        if (!TryGetGroup(groupId, out var group))
        {
            return Missing(groupId, ErrorCode.None) is var missing && missing != ErrorCode.None
                ? new LeaveGroupResult(missing, [])
                : new LeaveGroupResult(ErrorCode.None, members.Select(m => (m, ErrorCode.UnknownMemberId)).ToList());
        }
        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return new LeaveGroupResult(DeadGroupError(group), []);
            }
            var results = new List<(LeavingMember, ErrorCode)>(members.Count);
            foreach (var leaving in members)
            {
                results.Add((leaving, LeaveOne(group, leaving)));
            }
            return new LeaveGroupResult(ErrorCode.None, results);
        }
    }

    private ErrorCode LeaveOne(GroupMetadata group, LeavingMember leaving)
    {
        if (leaving.MemberId.Length > 0 && group.IsStaticMemberFenced(leaving.GroupInstanceId, leaving.MemberId))
        {
            return ErrorCode.FencedInstanceId;
        }
        if (group.PendingMembers.Remove(leaving.MemberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            if (group.Is(GroupState.PreparingRebalance))
            {
                TryCompleteJoin(group);
            }
            return ErrorCode.None;
        }
        var memberId = group.CurrentStaticMemberId(leaving.GroupInstanceId) ?? leaving.MemberId;
        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }
        _logger.LogInformation("Member {MemberId} is leaving group {GroupId}", memberId, group.GroupId);
        RemoveMemberAndUpdateGroup(group, member, $"member {memberId} left");
        return ErrorCode.None;
    }

    /// <summary>(Re)arms the member's session timer: it fails unless it is heard from within
    /// <paramref name="timeoutMs"/>. Caller holds the group's lock.</summary>
    private void ScheduleHeartbeatExpiration(GroupMetadata group, MemberMetadata member, long timeoutMs)
    {
        member.HeartbeatDeadline = NowMonotonicMs + timeoutMs;
        member.SessionTimer ??= new DeadlineTimer(_time, () => OnHeartbeatTimer(group, member));
        member.SessionTimer.Schedule(timeoutMs);
    }

    private void OnHeartbeatTimer(GroupMetadata group, MemberMetadata member)
    {
        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead) || !group.Members.TryGetValue(member.MemberId, out var current) || !ReferenceEquals(current, member))
            {
                return;
            }
            var remaining = member.HeartbeatDeadline - NowMonotonicMs;
            if (remaining > 0)
            {
                member.SessionTimer?.Schedule(remaining);
                return;
            }
            if (!member.IsNew && (member.IsAwaitingJoin || member.IsAwaitingSync))
            {
                // A member parked in JoinGroup/SyncGroup is alive; its timer is re-armed when the response goes out.
                return;
            }
            _logger.LogInformation("Member {MemberId} in group {GroupId} has failed: no heartbeat within its session timeout", member.MemberId, group.GroupId);
            RemoveMemberAndUpdateGroup(group, member, $"member {member.MemberId} failed (session timeout)");
        }
    }

    private void OnPendingMemberExpired(GroupMetadata group, string memberId)
    {
        lock (group.Lock)
        {
            if (!group.PendingMembers.Remove(memberId, out var timer))
            {
                return;
            }
            timer.Dispose();
            if (group.Is(GroupState.PreparingRebalance))
            {
                TryCompleteJoin(group);
            }
        }
    }

    private void RemoveMemberAndUpdateGroup(GroupMetadata group, MemberMetadata member, string reason)
    {
        group.MaybeInvokeJoinCallback(member, JoinGroupResult.Failure(ErrorCode.UnknownMemberId, member.MemberId));
        group.MaybeInvokeSyncCallback(member, SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
        group.Remove(member.MemberId);
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                MaybePrepareRebalance(group, reason);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group);
                break;
        }
    }
}
