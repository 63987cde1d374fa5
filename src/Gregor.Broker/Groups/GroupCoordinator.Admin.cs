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
            return DeadSummary(groupId);
        }
        lock (group.Lock)
        {
            return group.Is(GroupState.Dead) ? DeadSummary(groupId) : group.Summary();
        }
    }

    private static GroupSummary DeadSummary(string groupId) => new(ErrorCode.None, groupId, nameof(GroupState.Dead), "", "", []);

    /// <summary>The groups, filtered by state names and group types (both case-insensitive; empty: all).
    /// While loading, the error is COORDINATOR_LOAD_IN_PROGRESS.</summary>
    public (ErrorCode Error, IReadOnlyList<GroupOverview> Groups) ListGroups(IReadOnlyCollection<string>? statesFilter = null, IReadOnlyCollection<string>? typesFilter = null)
    {
        if (!_active)
        {
            return (ErrorCode.CoordinatorNotAvailable, []);
        }
        if (typesFilter is { Count: > 0 } && !typesFilter.Contains(ClassicGroupType, StringComparer.OrdinalIgnoreCase))
        {
            return (_loading ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None, []);
        }
        var result = new List<GroupOverview>();
        foreach (var group in _groups.Values)
        {
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
        return (_loading ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None, result);
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
                results.Add((groupId, ErrorCode.GroupIdNotFound));
                continue;
            }
            var records = new List<GroupStoreRecord>();
            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    results.Add((groupId, ErrorCode.GroupIdNotFound));
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
            var storeError = await AppendAsync(groupId, records).ConfigureAwait(false);
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
