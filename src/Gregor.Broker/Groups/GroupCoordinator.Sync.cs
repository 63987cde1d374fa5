using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>SyncGroup: the leader's assignment is stored and relayed, opaque, to every member.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Handles a SyncGroup. In CompletingRebalance the response is parked until the leader's
    /// assignment has been stored (members missing from it get an empty one); in Stable the
    /// member's current assignment is returned at once.
    /// </summary>
    public Task<SyncGroupResult> SyncGroupAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        string? protocolType, string? protocolName, IReadOnlyDictionary<string, byte[]> assignments)
    {
        var error = ValidateGroupStatus(groupId, allowEmptyGroupId: false);
        if (error == ErrorCode.CoordinatorLoadInProgress)
        {
            // The state of the rebalance was lost: rejoining is the way forward, and older clients
            // do not expect COORDINATOR_LOAD_IN_PROGRESS here.
            return Task.FromResult(SyncGroupResult.Failure(ErrorCode.RebalanceInProgress));
        }
        if (error != ErrorCode.None)
        {
            return Task.FromResult(SyncGroupResult.Failure(error));
        }
        if (!TryGetGroup(groupId, out var group))
        {
            return Task.FromResult(SyncGroupResult.Failure(Missing(groupId, ErrorCode.UnknownMemberId)));
        }
        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                return Task.FromResult(SyncGroupResult.Failure(DeadGroupError(group)));
            }
            if (group.IsStaticMemberFenced(groupInstanceId, memberId))
            {
                return Task.FromResult(SyncGroupResult.Failure(ErrorCode.FencedInstanceId));
            }
            if (!group.Has(memberId))
            {
                return Task.FromResult(SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
            }
            if (generationId != group.GenerationId)
            {
                return Task.FromResult(SyncGroupResult.Failure(ErrorCode.IllegalGeneration));
            }
            if ((protocolType is not null && protocolType != group.ProtocolType) || (protocolName is not null && protocolName != group.ProtocolName))
            {
                return Task.FromResult(SyncGroupResult.Failure(ErrorCode.InconsistentGroupProtocol));
            }
            var member = group.Get(memberId);
            switch (group.State)
            {
                case GroupState.Empty:
                    return Task.FromResult(SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
                case GroupState.PreparingRebalance:
                    return Task.FromResult(SyncGroupResult.Failure(ErrorCode.RebalanceInProgress));
                case GroupState.CompletingRebalance:
                    var callback = NewCallback<SyncGroupResult>();
                    group.MaybeInvokeSyncCallback(member, SyncGroupResult.Failure(ErrorCode.RebalanceInProgress));
                    member.AwaitingSync = callback;
                    group.PendingSyncMembers.Remove(memberId);
                    if (group.IsLeader(memberId))
                    {
                        var assignment = group.Members.Keys.ToDictionary(id => id, id => assignments.GetValueOrDefault(id) ?? [], StringComparer.Ordinal);
                        StoreGroup(group, assignment, onStored: storeError =>
                        {
                            // Another member may have joined meanwhile: apply only to the same generation.
                            if (!group.Is(GroupState.CompletingRebalance) || group.GenerationId != generationId)
                            {
                                return;
                            }
                            if (storeError != ErrorCode.None)
                            {
                                ResetAndPropagateAssignmentError(group, storeError);
                                MaybePrepareRebalance(group, "the group's assignment could not be stored");
                                return;
                            }
                            foreach (var m in group.Members.Values)
                            {
                                m.Assignment = assignment.GetValueOrDefault(m.MemberId) ?? [];
                            }
                            PropagateAssignment(group, ErrorCode.None);
                            group.TransitionTo(GroupState.Stable, NowWallMs);
                            _logger.LogInformation("Group {GroupId} generation {Generation} is stable", group.GroupId, group.GenerationId);
                        });
                    }
                    return callback.Task;
                default:
                    group.PendingSyncMembers.Remove(memberId);
                    ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
                    return Task.FromResult(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment));
            }
        }
    }

    private void ResetAndPropagateAssignmentError(GroupMetadata group, ErrorCode error)
    {
        foreach (var member in group.Members.Values)
        {
            member.Assignment = [];
        }
        PropagateAssignment(group, error);
    }

    private void PropagateAssignment(GroupMetadata group, ErrorCode error)
    {
        foreach (var member in group.Members.Values)
        {
            var result = error == ErrorCode.None
                ? new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment)
                : SyncGroupResult.Failure(error);
            if (group.MaybeInvokeSyncCallback(member, result))
            {
                ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
            }
        }
    }

    /// <summary>After the join phase every member must send SyncGroup within the rebalance timeout;
    /// those that do not are removed and the group rebalances again.</summary>
    private void ScheduleSyncExpiration(GroupMetadata group)
    {
        var timeout = group.RebalanceTimeoutMs;
        group.SyncGeneration = group.GenerationId;
        group.SyncDeadline = NowMonotonicMs + timeout;
        group.SyncTimer ??= new DeadlineTimer(_time, () => OnSyncTimer(group));
        group.SyncTimer.Schedule(timeout);
    }

    private void OnSyncTimer(GroupMetadata group)
    {
        lock (group.Lock)
        {
            if (group.SyncDeadline == long.MaxValue || group.SyncGeneration != group.GenerationId)
            {
                return;
            }
            var remaining = group.SyncDeadline - NowMonotonicMs;
            if (remaining > 0)
            {
                group.SyncTimer?.Schedule(remaining);
                return;
            }
            group.SyncDeadline = long.MaxValue;
            if (group.State is not (GroupState.CompletingRebalance or GroupState.Stable) || group.PendingSyncMembers.Count == 0)
            {
                return;
            }
            var missing = group.PendingSyncMembers.ToList();
            _logger.LogInformation("Removing members {Members} of group {GroupId}: no SyncGroup within the rebalance timeout", string.Join(", ", missing), group.GroupId);
            foreach (var memberId in missing)
            {
                if (group.Members.TryGetValue(memberId, out var member))
                {
                    group.MaybeInvokeJoinCallback(member, JoinGroupResult.Failure(ErrorCode.UnknownMemberId, memberId));
                    group.MaybeInvokeSyncCallback(member, SyncGroupResult.Failure(ErrorCode.UnknownMemberId));
                }
                group.Remove(memberId);
            }
            PrepareRebalance(group, "members did not send SyncGroup in time");
        }
    }

    /// <summary>
    /// Writes the group's metadata record (members with their subscription to the chosen protocol
    /// and their assignment — <paramref name="assignment"/> when given, else the current one) and
    /// then, on a pool thread and under the group's lock, calls <paramref name="onStored"/> with
    /// the outcome. Caller holds the group's lock; the write itself happens after it is released.
    /// </summary>
    private void StoreGroup(GroupMetadata group, IReadOnlyDictionary<string, byte[]>? assignment, Action<ErrorCode>? onStored)
    {
        var key = new GroupMetadataKey(group.GroupId).Serialize();
        var value = ToRecordValue(group, assignment).Serialize();
        _ = StoreGroupAsync(group, [new GroupStoreRecord(key, value)], onStored);
    }

    private async Task StoreGroupAsync(GroupMetadata group, IReadOnlyList<GroupStoreRecord> records, Action<ErrorCode>? onStored)
    {
        // Leave the caller's lock (and stack) before the write and the callback.
        await Task.Yield();
        var error = await AppendAsync(group, records).ConfigureAwait(false);
        if (onStored is null)
        {
            return;
        }
        lock (group.Lock)
        {
            onStored(error);
        }
    }

    internal static GroupMetadataValue ToRecordValue(GroupMetadata group, IReadOnlyDictionary<string, byte[]>? assignment)
    {
        var protocol = group.ProtocolName;
        var members = group.Members.Values.Select(m => new GroupMetadataValue.MemberMetadata(
            m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.RebalanceTimeoutMs, m.SessionTimeoutMs,
            protocol is null ? [] : m.MetadataFor(protocol) ?? [],
            assignment is null ? m.Assignment : assignment.GetValueOrDefault(m.MemberId) ?? [])).ToList();
        return new GroupMetadataValue(group.ProtocolType ?? "", group.GenerationId, protocol, group.LeaderId, group.CurrentStateTimestamp, members);
    }
}
