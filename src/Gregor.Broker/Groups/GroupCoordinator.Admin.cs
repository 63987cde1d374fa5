using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>DescribeGroups, ListGroups and DeleteGroups.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>Every group this coordinator knows is "classic" (KIP-848's ListGroups type).</summary>
    public const string ClassicGroupType = "classic";

    /// <summary>A group's state and members; an unknown group is described as Dead with no members.</summary>
    public GroupSummary DescribeGroup(string groupId)
    {
        var error = ValidateGroupStatus(groupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return new GroupSummary(error, groupId, "", "", "", []);
        }
        if (!TryGetGroup(groupId, out var group))
        {
            error = Missing(groupId, ErrorCode.None);
            return error == ErrorCode.None ? DeadSummary(groupId) : new GroupSummary(error, groupId, "", "", "", []);
        }
        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                error = DeadGroupError(group) == ErrorCode.NotCoordinator ? ErrorCode.NotCoordinator : ErrorCode.None;
                return error == ErrorCode.None ? DeadSummary(groupId) : new GroupSummary(error, groupId, "", "", "", []);
            }
            return group.Summary();
        }
    }

    private static GroupSummary DeadSummary(string groupId) => new(ErrorCode.None, groupId, nameof(GroupState.Dead), "", "", []);

    /// <summary>The groups of the partitions this broker owns, filtered by state names and group
    /// types (both case-insensitive; empty: all). While a partition loads, the error is
    /// COORDINATOR_LOAD_IN_PROGRESS (with the groups already served).</summary>
    public (ErrorCode Error, IReadOnlyList<GroupOverview> Groups) ListGroups(IReadOnlyCollection<string>? statesFilter = null, IReadOnlyCollection<string>? typesFilter = null)
    {
        if (!_active)
        {
            return (ErrorCode.CoordinatorNotAvailable, []);
        }
        var loading = false;
        for (var partition = 0; partition < _terms.Length; partition++)
        {
            loading |= Volatile.Read(ref _terms[partition])?.State == OffsetsPartitionState.Loading;
        }
        var error = loading ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None;
        if (typesFilter is { Count: > 0 } && !typesFilter.Contains(ClassicGroupType, StringComparer.OrdinalIgnoreCase))
        {
            return (error, []);
        }
        var result = new List<GroupOverview>();
        foreach (var group in _groups.Values)
        {
            if (group.Term.State != OffsetsPartitionState.Owned)
            {
                continue;
            }
            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    continue;
                }
                if (statesFilter is { Count: > 0 } && !statesFilter.Contains(group.State.ToString(), StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }
                result.Add(new GroupOverview(group.GroupId, group.ProtocolType ?? "", group.State));
            }
        }
        result.Sort((a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return (error, result);
    }

    /// <summary>Deletes empty groups with their offsets (tombstones for each); NON_EMPTY_GROUP when
    /// members remain, GROUP_ID_NOT_FOUND for an unknown group.</summary>
    public async Task<IReadOnlyList<(string GroupId, ErrorCode Error)>> DeleteGroupsAsync(IReadOnlyList<string> groupIds)
    {
        var results = new List<(string, ErrorCode)>(groupIds.Count);
        foreach (var groupId in groupIds)
        {
            var error = ValidateGroupStatus(groupId, allowEmptyGroupId: true);
            if (error != ErrorCode.None)
            {
                results.Add((groupId, error));
                continue;
            }
            if (!TryGetGroup(groupId, out var group))
            {
                results.Add((groupId, Missing(groupId, ErrorCode.GroupIdNotFound)));
                continue;
            }
            var records = new List<GroupStoreRecord>();
            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    results.Add((groupId, DeadGroupNotFoundError(group)));
                    continue;
                }
                if (!group.Is(GroupState.Empty))
                {
                    results.Add((groupId, ErrorCode.NonEmptyGroup));
                    continue;
                }
                foreach (var partition in group.Offsets.Keys)
                {
                    records.Add(OffsetRecord(groupId, partition, null));
                }
                group.Offsets.Clear();
                records.Add(new GroupStoreRecord(new GroupMetadataKey(groupId).Serialize(), null));
                RemoveDeadGroup(group);
            }
            var storeError = await AppendAsync(group, records).ConfigureAwait(false);
            if (storeError == ErrorCode.NotCoordinator)
            {
                // Unloaded meanwhile: the group is still stored, the new coordinator deletes it.
                results.Add((groupId, storeError));
                continue;
            }
            if (storeError != ErrorCode.None)
            {
                _logger.LogWarning("Tombstones of deleted group {GroupId} were not stored: {Error}", groupId, storeError);
            }
            _logger.LogInformation("Deleted group {GroupId}", groupId);
            results.Add((groupId, ErrorCode.None));
        }
        return results;
    }
}
