using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;

namespace Gregor.Broker.Groups;

/// <summary>Forgetting the offsets of deleted topics (Kafka's onPartitionsDeleted).</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Removes every group's committed offsets for partitions of the deleted topics, writing a
    /// tombstone for each so the removal survives a restart; an Empty group left without offsets
    /// is deleted (with a tombstone for its metadata), as Kafka's cleanupGroupMetadata does.
    /// Returns the number of offsets removed.
    /// </summary>
    public async Task<int> OnTopicsDeletedAsync(IReadOnlyCollection<string> topics)
    {
        if (topics.Count == 0 || !_active)
        {
            return 0;
        }
        var deleted = topics.ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var group in _groups.Values)
        {
            var records = new List<GroupStoreRecord>();
            lock (group.Lock)
            {
                if (group.Is(GroupState.Dead))
                {
                    continue;
                }
                var gone = group.Offsets.Keys.Where(p => deleted.Contains(p.Topic)).ToList();
                foreach (var partition in gone)
                {
                    group.Offsets.Remove(partition);
                    records.Add(OffsetRecord(group.GroupId, partition, null));
                }
                removed += gone.Count;
                if (gone.Count > 0 && group.Is(GroupState.Empty) && !group.HasOffsets)
                {
                    RemoveDeadGroup(group);
                    records.Add(new GroupStoreRecord(new GroupMetadataKey(group.GroupId).Serialize(), null));
                }
            }
            await AppendAsync(group, records).ConfigureAwait(false);
        }
        return removed;
    }
}
