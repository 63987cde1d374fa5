using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>JoinGroup: membership changes and the join phase of a rebalance.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Handles a JoinGroup. The returned task completes when the member's JoinGroup response is
    /// ready: at once for errors, MEMBER_ID_REQUIRED and followers of a Stable group with unchanged
    /// metadata; otherwise when the join phase of the rebalance completes (every member rejoined,
    /// the rebalance timeout passed, or the initial delay of an empty group passed).
    /// </summary>
    public Task<JoinGroupResult> JoinGroupAsync(JoinGroupParameters join)
    {
        var error = ValidateGroupStatus(join.GroupId, allowEmptyGroupId: false);
        if (error != ErrorCode.None)
        {
            return Task.FromResult(JoinGroupResult.Failure(error, join.MemberId));
        }
        if (join.SessionTimeoutMs < _options.MinSessionTimeoutMs || join.SessionTimeoutMs > _options.MaxSessionTimeoutMs)
        {
            return Task.FromResult(JoinGroupResult.Failure(ErrorCode.InvalidSessionTimeout, join.MemberId));
        }
        var isUnknownMember = join.MemberId.Length == 0;
        GroupMetadata? group;
        if (isUnknownMember)
        {
            group = GetOrCreateGroup(join.GroupId);
            if (group is null)
            {
                return Task.FromResult(JoinGroupResult.Failure(ErrorCode.NotCoordinator, join.MemberId));
            }
        }
        else if (!TryGetGroup(join.GroupId, out group))
        {
            return Task.FromResult(JoinGroupResult.Failure(Missing(join.GroupId, ErrorCode.UnknownMemberId), join.MemberId));
        }

        var callback = NewCallback<JoinGroupResult>();
        lock (group.Lock)
        {
            if (!AcceptJoiningMember(group, join.MemberId))
            {
                group.Remove(join.MemberId);
                callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.GroupMaxSizeReached));
            }
            else if (isUnknownMember)
            {
                DoNewMemberJoin(group, join, callback);
            }
            else
            {
                DoCurrentMemberJoin(group, join, callback);
            }
            if (group.Is(GroupState.PreparingRebalance))
            {
                TryCompleteJoin(group);
            }
        }
        return callback.Task;
    }

    /// <summary>group.max.size: counts awaiting members while preparing a rebalance (the group may
    /// already be above a lowered limit; the last to rejoin are the ones turned away).</summary>
    private bool AcceptJoiningMember(GroupMetadata group, string memberId) => group.State switch
    {
        GroupState.Empty or GroupState.Dead => true,
        GroupState.PreparingRebalance => (group.Members.TryGetValue(memberId, out var m) && m.IsAwaitingJoin)
            || group.NumMembersAwaitingJoin < _options.MaxSize,
        _ => group.Has(memberId) || group.Members.Count < _options.MaxSize,
    };

    private void DoNewMemberJoin(GroupMetadata group, JoinGroupParameters join, TaskCompletionSource<JoinGroupResult> callback)
    {
        if (group.Is(GroupState.Dead))
        {
            callback.TrySetResult(JoinGroupResult.Failure(DeadGroupError(group)));
            return;
        }
        if (!group.SupportsProtocols(join.ProtocolType, join.Protocols))
        {
            callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.InconsistentGroupProtocol));
            return;
        }
        var newMemberId = $"{join.GroupInstanceId ?? join.ClientId}-{Guid.NewGuid()}";
        if (join.GroupInstanceId is not null)
        {
            var oldMemberId = group.CurrentStaticMemberId(join.GroupInstanceId);
            if (oldMemberId is not null)
            {
                UpdateStaticMemberAndRebalance(group, oldMemberId, newMemberId, join, callback);
            }
            else
            {
                AddMemberAndRebalance(group, newMemberId, join, callback);
            }
        }
        else if (join.RequireKnownMemberId)
        {
            // KIP-394: hand out the id first so a client that retries after a lost response
            // rejoins as the same member instead of piling up unknown ones.
            var timer = new DeadlineTimer(_time, () => OnPendingMemberExpired(group, newMemberId));
            group.PendingMembers[newMemberId] = timer;
            timer.Schedule(join.SessionTimeoutMs);
            callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.MemberIdRequired, newMemberId));
        }
        else
        {
            AddMemberAndRebalance(group, newMemberId, join, callback);
        }
    }

    private void DoCurrentMemberJoin(GroupMetadata group, JoinGroupParameters join, TaskCompletionSource<JoinGroupResult> callback)
    {
        var memberId = join.MemberId;
        if (group.Is(GroupState.Dead))
        {
            callback.TrySetResult(JoinGroupResult.Failure(DeadGroupError(group), memberId));
            return;
        }
        if (group.IsPendingMember(memberId))
        {
            if (join.GroupInstanceId is not null)
            {
                // Pending ids are only handed to dynamic members.
                callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.UnknownMemberId, memberId));
                return;
            }
            if (!group.SupportsProtocols(join.ProtocolType, join.Protocols))
            {
                callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.InconsistentGroupProtocol, memberId));
                return;
            }
            AddMemberAndRebalance(group, memberId, join, callback);
            return;
        }
        var instanceIdNotFound = join.GroupInstanceId is not null && !group.StaticMembers.ContainsKey(join.GroupInstanceId);
        if (group.IsStaticMemberFenced(join.GroupInstanceId, memberId))
        {
            callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.FencedInstanceId, memberId));
            return;
        }
        if (!group.Has(memberId) || instanceIdNotFound)
        {
            callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.UnknownMemberId, memberId));
            return;
        }
        if (!group.SupportsProtocols(join.ProtocolType, join.Protocols))
        {
            callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.InconsistentGroupProtocol, memberId));
            return;
        }
        var member = group.Get(memberId);
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                UpdateMemberAndRebalance(group, member, join, callback, "member rejoined");
                break;
            case GroupState.CompletingRebalance:
                if (member.Matches(join.Protocols))
                {
                    // Same metadata: probably a retry after a lost response; answer with the current generation.
                    callback.TrySetResult(CurrentGenerationResult(group, memberId, includeMembers: group.IsLeader(memberId)));
                }
                else
                {
                    UpdateMemberAndRebalance(group, member, join, callback, "member changed its metadata");
                }
                break;
            case GroupState.Stable:
                if (group.IsLeader(memberId))
                {
                    // The leader rejoining forces a rebalance: it is how it reacts to changes that do
                    // not show in member metadata (e.g. partitions added to a subscribed topic).
                    UpdateMemberAndRebalance(group, member, join, callback, "leader rejoined");
                }
                else if (!member.Matches(join.Protocols))
                {
                    UpdateMemberAndRebalance(group, member, join, callback, "member changed its metadata");
                }
                else
                {
                    callback.TrySetResult(CurrentGenerationResult(group, memberId, includeMembers: false));
                }
                break;
            default:
                // Empty (or Dead) with this member id: the member must reset its generation and rejoin.
                callback.TrySetResult(JoinGroupResult.Failure(ErrorCode.UnknownMemberId, memberId));
                break;
        }
    }

    private static JoinGroupResult CurrentGenerationResult(GroupMetadata group, string memberId, bool includeMembers, bool skipAssignment = false) =>
        new(ErrorCode.None, memberId, group.GenerationId, group.ProtocolType, group.ProtocolName, group.LeaderId ?? "", skipAssignment,
            includeMembers ? group.CurrentMemberMetadata() : null);

    private void AddMemberAndRebalance(GroupMetadata group, string memberId, JoinGroupParameters join, TaskCompletionSource<JoinGroupResult> callback)
    {
        var member = new MemberMetadata(memberId, join) { IsNew = true };
        if (group.Is(GroupState.PreparingRebalance) && group.GenerationId == 0)
        {
            group.NewMemberAdded = true;
        }
        if (group.PendingMembers.Remove(memberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
        }
        group.Add(member, callback);
        // New members cannot heartbeat yet, and a disconnect goes unnoticed while their JoinGroup
        // is parked: they get a long fixed timeout instead of their session timeout.
        ScheduleHeartbeatExpiration(group, member, _options.NewMemberJoinTimeoutMs);
        MaybePrepareRebalance(group, $"adding new member {memberId}");
    }

    private void UpdateMemberAndRebalance(GroupMetadata group, MemberMetadata member, JoinGroupParameters join, TaskCompletionSource<JoinGroupResult> callback, string reason)
    {
        group.UpdateMember(member, join, callback);
        MaybePrepareRebalance(group, $"{reason} ({member.MemberId})");
    }

    /// <summary>A restarted static member (same group.instance.id, no member id) takes over its old
    /// place under a new member id; the old id is fenced. In a Stable group whose protocol would not
    /// change, no rebalance happens: the member keeps its assignment.</summary>
    private void UpdateStaticMemberAndRebalance(GroupMetadata group, string oldMemberId, string newMemberId, JoinGroupParameters join, TaskCompletionSource<JoinGroupResult> callback)
    {
        var instanceId = join.GroupInstanceId!;
        var currentLeader = group.LeaderId ?? "";
        var member = group.ReplaceStaticMember(instanceId, oldMemberId, newMemberId);
        ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
        group.UpdateMember(member, join, callback);
        switch (group.State)
        {
            case GroupState.Stable:
                if (group.SelectProtocol() == group.ProtocolName)
                {
                    _logger.LogInformation("Static member {InstanceId} of group {GroupId} rejoined as {MemberId} without a rebalance", instanceId, group.GroupId, newMemberId);
                    var generation = group.GenerationId;
                    StoreGroup(group, assignment: null, onStored: error =>
                    {
                        if (error != ErrorCode.None)
                        {
                            group.MaybeInvokeJoinCallback(member, JoinGroupResult.Failure(error, newMemberId));
                            if (!group.Is(GroupState.Dead) && group.Has(newMemberId))
                            {
                                group.ReplaceStaticMember(instanceId, newMemberId, oldMemberId);
                            }
                            return;
                        }
                        var isLeader = group.IsLeader(newMemberId);
                        group.MaybeInvokeJoinCallback(member, new JoinGroupResult(ErrorCode.None, newMemberId, generation, group.ProtocolType,
                            group.ProtocolName, currentLeader == oldMemberId ? newMemberId : currentLeader, SkipAssignment: isLeader,
                            isLeader ? group.CurrentMemberMetadata() : null));
                    });
                }
                else
                {
                    MaybePrepareRebalance(group, $"static member {instanceId} rejoined with a different protocol");
                }
                break;
            case GroupState.CompletingRebalance:
                // The leader may already be assigning to the old member id: start over so the new id gets an assignment.
                PrepareRebalance(group, $"static member {instanceId} rejoined during CompletingRebalance");
                break;
            default:
                // PreparingRebalance: the member now waits for the join phase like the others.
                break;
        }
    }

    private void MaybePrepareRebalance(GroupMetadata group, string reason)
    {
        if (group.CanRebalance)
        {
            PrepareRebalance(group, reason);
        }
    }

    private void PrepareRebalance(GroupMetadata group, string reason)
    {
        if (group.Is(GroupState.CompletingRebalance))
        {
            ResetAndPropagateAssignmentError(group, ErrorCode.RebalanceInProgress);
        }
        group.SyncDeadline = long.MaxValue;
        group.SyncTimer?.Cancel();
        var wasEmpty = group.Is(GroupState.Empty);
        group.TransitionTo(GroupState.PreparingRebalance, NowWallMs);
        if (wasEmpty)
        {
            group.JoinIsInitialDelay = true;
            group.InitialDelayRemainingMs = Math.Max(group.RebalanceTimeoutMs - _options.InitialRebalanceDelayMs, 0);
            ScheduleJoin(group, _options.InitialRebalanceDelayMs);
        }
        else
        {
            group.JoinIsInitialDelay = false;
            ScheduleJoin(group, group.RebalanceTimeoutMs);
        }
        _logger.LogInformation("Preparing to rebalance group {GroupId} in state {State} with old generation {Generation}: {Reason}",
            group.GroupId, group.State, group.GenerationId, reason);
        TryCompleteJoin(group);
    }

    private void ScheduleJoin(GroupMetadata group, long delayMs)
    {
        group.JoinDeadline = NowMonotonicMs + delayMs;
        group.JoinTimer ??= new DeadlineTimer(_time, () => OnJoinTimer(group));
        group.JoinTimer.Schedule(delayMs);
    }

    private void OnJoinTimer(GroupMetadata group)
    {
        lock (group.Lock)
        {
            if (!group.Is(GroupState.PreparingRebalance) || group.JoinDeadline == long.MaxValue)
            {
                return;
            }
            var remaining = group.JoinDeadline - NowMonotonicMs;
            if (remaining > 0)
            {
                group.JoinTimer?.Schedule(remaining);
                return;
            }
            if (group.JoinIsInitialDelay && group.NewMemberAdded && group.InitialDelayRemainingMs > 0)
            {
                // Members are still arriving: wait once more, within the rebalance timeout.
                group.NewMemberAdded = false;
                var delay = Math.Min(_options.InitialRebalanceDelayMs, group.InitialDelayRemainingMs);
                group.InitialDelayRemainingMs = Math.Max(group.InitialDelayRemainingMs - delay, 0);
                ScheduleJoin(group, delay);
                return;
            }
            OnCompleteJoin(group);
        }
    }

    /// <summary>Completes the join phase early once every member has rejoined (never during the initial delay).</summary>
    private void TryCompleteJoin(GroupMetadata group)
    {
        if (group.Is(GroupState.PreparingRebalance) && !group.JoinIsInitialDelay && group.HasAllMembersJoined)
        {
            OnCompleteJoin(group);
        }
    }

    /// <summary>Ends the join phase: dynamic members that did not rejoin are dropped, a new generation
    /// starts with the chosen protocol, and every joined member gets its JoinGroup response (the
    /// leader with everyone's metadata).</summary>
    private void OnCompleteJoin(GroupMetadata group)
    {
        group.JoinDeadline = long.MaxValue;
        group.JoinTimer?.Cancel();
        group.JoinIsInitialDelay = false;
        foreach (var failed in group.NotYetRejoinedMembers().Where(m => !m.IsStatic))
        {
            _logger.LogInformation("Removing member {MemberId} of group {GroupId}: it did not rejoin within the rebalance timeout", failed.MemberId, group.GroupId);
            group.MaybeInvokeSyncCallback(failed, SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
            group.Remove(failed.MemberId);
        }
        if (group.Is(GroupState.Dead))
        {
            return;
        }
        if (!group.MaybeElectNewJoinedLeader() && group.Members.Count > 0)
        {
            // Only static members that did not rejoin are left: wait for them, or for their session timeouts.
            _logger.LogWarning("Group {GroupId} could not complete its rebalance: no member rejoined", group.GroupId);
            ScheduleJoin(group, group.RebalanceTimeoutMs);
            return;
        }
        InitNextGeneration(group);
        if (group.Is(GroupState.Empty))
        {
            _logger.LogInformation("Group {GroupId} with generation {Generation} is now empty", group.GroupId, group.GenerationId);
            StoreGroup(group, assignment: null, onStored: null);
            return;
        }
        _logger.LogInformation("Stabilized group {GroupId} generation {Generation} with {Count} members, protocol {Protocol}",
            group.GroupId, group.GenerationId, group.Members.Count, group.ProtocolName);
        foreach (var member in group.Members.Values)
        {
            var isLeader = group.IsLeader(member.MemberId);
            group.MaybeInvokeJoinCallback(member, CurrentGenerationResult(group, member.MemberId, includeMembers: isLeader));
            ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
            member.IsNew = false;
            group.PendingSyncMembers.Add(member.MemberId);
        }
        ScheduleSyncExpiration(group);
    }

    private void InitNextGeneration(GroupMetadata group)
    {
        group.GenerationId++;
        if (group.Members.Count > 0)
        {
            group.ProtocolName = group.SelectProtocol();
            group.ComputeSubscribedTopics();
            group.TransitionTo(GroupState.CompletingRebalance, NowWallMs);
        }
        else
        {
            group.ProtocolName = null;
            group.SubscribedTopics = null;
            group.TransitionTo(GroupState.Empty, NowWallMs);
        }
        group.PendingSyncMembers.Clear();
    }
}
