using System.Text;
using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>OffsetCommit, OffsetFetch, OffsetDelete, and the expiry of old offsets.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Commits offsets for a member of the current generation, or (generation -1, empty member id)
    /// for a group that only stores offsets. Answers after the records are stored. Commits are
    /// accepted while preparing a rebalance (the heartbeat tells the member to rejoin) and refused
    /// with REBALANCE_IN_PROGRESS between JoinGroup and the assignment.
    /// </summary>
    public async Task<IReadOnlyList<(TopicPartitionId Partition, ErrorCode Error)>> CommitOffsetsAsync(OffsetCommitParameters commit)
    {
        var error = ValidateGroupStatus(commit.GroupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return AllFailed(commit, error);
        }
        if (!TryGetGroup(commit.GroupId, out var group))
        {
            if (commit.GenerationId >= 0)
            {
                // A member of a generation this coordinator never saw (or an older one).
                return AllFailed(commit, Missing(commit.GroupId, ErrorCode.IllegalGeneration));
            }
            var created = GetOrCreateGroup(commit.GroupId);
            if (created is null)
            {
                return AllFailed(commit, ErrorCode.NotCoordinator);
            }
            group = created;
        }

        var wallNow = NowWallMs;
        var results = new List<(TopicPartitionId, ErrorCode)>(commit.Offsets.Count);
        var accepted = new List<(TopicPartitionId Partition, OffsetAndMetadata Offset)>();
        var records = new List<GroupStoreRecord>();
        lock (group.Lock)
        {
            error = ValidateCommit(group, commit);
            if (error != ErrorCode.None)
            {
                return AllFailed(commit, error);
            }
            foreach (var entry in commit.Offsets)
            {
                var metadata = entry.Metadata ?? "";
                if (Encoding.UTF8.GetByteCount(metadata) > _options.OffsetMetadataMaxBytes)
                {
                    results.Add((entry.Partition, ErrorCode.OffsetMetadataTooLarge));
                    continue;
                }
                var offset = new OffsetAndMetadata(entry.Offset, entry.LeaderEpoch, metadata,
                    entry.CommitTimestamp >= 0 ? entry.CommitTimestamp : wallNow,
                    commit.RetentionTimeMs >= 0 ? wallNow + commit.RetentionTimeMs : null);
                accepted.Add((entry.Partition, offset));
                results.Add((entry.Partition, ErrorCode.None));
                records.Add(OffsetRecord(group.GroupId, entry.Partition, offset));
                group.PendingOffsetCommits[entry.Partition] = group.PendingOffsetCommits.GetValueOrDefault(entry.Partition) + 1;
            }
        }

        var storeError = await AppendAsync(group, records).ConfigureAwait(false);
        lock (group.Lock)
        {
            foreach (var (partition, offset) in accepted)
            {
                var pending = group.PendingOffsetCommits.GetValueOrDefault(partition) - 1;
                if (pending <= 0)
                {
                    group.PendingOffsetCommits.Remove(partition);
                }
                else
                {
                    group.PendingOffsetCommits[partition] = pending;
                }
                if (storeError == ErrorCode.None && !group.Is(GroupState.Dead))
                {
                    group.Offsets[partition] = offset;
                }
            }
        }
        if (storeError != ErrorCode.None)
        {
            return results.Select(r => (r.Item1, r.Item2 == ErrorCode.None ? storeError : r.Item2)).ToList();
        }
        return results;
    }

    private ErrorCode ValidateCommit(GroupMetadata group, OffsetCommitParameters commit)
    {
        if (group.Is(GroupState.Dead))
        {
            return DeadGroupError(group);
        }
        if (group.IsStaticMemberFenced(commit.GroupInstanceId, commit.MemberId))
        {
            return ErrorCode.FencedInstanceId;
        }
        if (commit.GenerationId < 0 && group.Is(GroupState.Empty))
        {
            // The group only uses the coordinator to store offsets.
            return ErrorCode.None;
        }
        if (!group.Has(commit.MemberId))
        {
            return ErrorCode.UnknownMemberId;
        }
        if (commit.GenerationId != group.GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }
        switch (group.State)
        {
            case GroupState.CompletingRebalance:
                return ErrorCode.RebalanceInProgress;
            default:
                var member = group.Get(commit.MemberId);
                ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
                return ErrorCode.None;
        }
    }

    private static List<(TopicPartitionId, ErrorCode)> AllFailed(OffsetCommitParameters commit, ErrorCode error) =>
        commit.Offsets.Select(o => (o.Partition, error)).ToList();

    private static GroupStoreRecord OffsetRecord(string groupId, TopicPartitionId partition, OffsetAndMetadata? offset) =>
        new(new OffsetCommitKey(groupId, partition.Topic, partition.Partition).Serialize(),
            offset is null ? null : OffsetCommitValue.From(offset).Serialize());

    /// <summary>
    /// The committed offsets of the given partitions (null: every partition the group has offsets
    /// for). Partitions without one get offset -1 and no error. With <paramref name="requireStable"/>,
    /// a partition with a commit still being written gets UNSTABLE_OFFSET_COMMIT.
    /// </summary>
    public (ErrorCode Error, IReadOnlyList<FetchedOffset> Offsets) FetchOffsets(string groupId, IReadOnlyList<TopicPartitionId>? partitions, bool requireStable)
    {
        var error = ValidateGroupStatus(groupId, allowEmptyGroupId: true);
        if (error != ErrorCode.None)
        {
            return (error, []);
        }
        if (!TryGetGroup(groupId, out var group))
        {
            // No offsets, unless the partition was unloaded meanwhile: then they are not known here.
            error = Missing(groupId, ErrorCode.None);
            return (error, error == ErrorCode.None ? partitions?.Select(NoOffset).ToList() ?? [] : []);
        }
        lock (group.Lock)
        {
            if (group.Is(GroupState.Dead))
            {
                error = DeadGroupError(group) == ErrorCode.NotCoordinator ? ErrorCode.NotCoordinator : ErrorCode.None;
                return (error, error == ErrorCode.None ? partitions?.Select(NoOffset).ToList() ?? [] : []);
            }
            if (partitions is null)
            {
                return (ErrorCode.None, group.Offsets
                    .OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal).ThenBy(kv => kv.Key.Partition)
                    .Select(kv => new FetchedOffset(kv.Key, kv.Value.Offset, kv.Value.LeaderEpoch, kv.Value.Metadata, ErrorCode.None)).ToList());
            }
            var result = new List<FetchedOffset>(partitions.Count);
            foreach (var partition in partitions)
            {
                if (requireStable && group.PendingOffsetCommits.ContainsKey(partition))
                {
                    result.Add(new FetchedOffset(partition, -1, -1, "", ErrorCode.UnstableOffsetCommit));
                }
                else if (group.Offsets.TryGetValue(partition, out var offset))
                {
                    result.Add(new FetchedOffset(partition, offset.Offset, offset.LeaderEpoch, offset.Metadata, ErrorCode.None));
                }
                else
                {
                    result.Add(NoOffset(partition));
                }
            }
            return (ErrorCode.None, result);
        }
    }

    private static FetchedOffset NoOffset(TopicPartitionId partition) => new(partition, -1, -1, "", ErrorCode.None);

    /// <summary>
    /// Deletes committed offsets (OffsetDelete). An empty group's offsets may all go; a consumer
    /// group with members keeps those of topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); any
    /// other group with members answers NON_EMPTY_GROUP.
    /// </summary>
    public async Task<(ErrorCode Error, IReadOnlyList<(TopicPartitionId Partition, ErrorCode Error)> Partitions)> DeleteOffsetsAsync(
        string groupId, IReadOnlyList<TopicPartitionId> partitions)
    {
        var error = ValidateGroupStatus(groupId, allowEmptyGroupId: false);
        if (error != ErrorCode.None)
        {
            return (error, []);
        }
        if (!TryGetGroup(groupId, out var group))
        {
            return (Missing(groupId, ErrorCode.GroupIdNotFound), []);
        }
        var results = new List<(TopicPartitionId, ErrorCode)>(partitions.Count);
        var records = new List<GroupStoreRecord>();
        lock (group.Lock)
        {
            switch (group.State)
            {
                case GroupState.Dead:
                    return (DeadGroupNotFoundError(group), []);
                case GroupState.Empty:
                    break;
                default:
                    if (group.ProtocolType != ConsumerProtocolSubscription.ProtocolType)
                    {
                        return (ErrorCode.NonEmptyGroup, []);
                    }
                    break;
            }
            foreach (var partition in partitions)
            {
                if (!group.Is(GroupState.Empty) && group.IsSubscribedToTopic(partition.Topic))
                {
                    results.Add((partition, ErrorCode.GroupSubscribedToTopic));
                    continue;
                }
                if (group.Offsets.Remove(partition))
                {
                    records.Add(OffsetRecord(group.GroupId, partition, null));
                }
                results.Add((partition, ErrorCode.None));
            }
        }
        var storeError = await AppendAsync(group, records).ConfigureAwait(false);
        if (storeError == ErrorCode.NotCoordinator)
        {
            // Unloaded meanwhile: the offsets are still stored, the new coordinator deletes them.
            return (storeError, []);
        }
        if (storeError != ErrorCode.None)
        {
            _logger.LogWarning("Tombstones for deleted offsets of group {GroupId} were not stored: {Error}", groupId, storeError);
        }
        return (ErrorCode.None, results);
    }

    private void OnExpirationTimer()
    {
        if (!_active)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                await ExpireOffsetsAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Offset expiration failed");
            }
            if (_active)
            {
                try
                {
                    _expirationTimer?.Schedule(_options.OffsetsRetentionCheckIntervalMs);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        });
    }

    /// <summary>
    /// Removes expired offsets, as Kafka does: those with an explicit expire timestamp once it has
    /// passed; otherwise those older than offsets.retention.minutes counted from the moment an
    /// empty group became empty, from each commit for a group that only stores offsets, and (for
    /// a stable consumer group) from each commit for topics no longer subscribed to. Groups left
    /// empty without offsets are deleted. Returns the number of offsets removed.
    /// </summary>
    public async Task<int> ExpireOffsetsAsync()
    {
        var wallNow = NowWallMs;
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
                Func<OffsetAndMetadata, long>? baseTimestamp = null;
                IReadOnlySet<string>? keep = null;
                if (group.ProtocolType is null)
                {
                    baseTimestamp = o => o.CommitTimestamp;
                }
                else if (group.Is(GroupState.Empty))
                {
                    baseTimestamp = _ => group.CurrentStateTimestamp;
                }
                else if (group.ProtocolType == ConsumerProtocolSubscription.ProtocolType && group.SubscribedTopics is not null && group.Is(GroupState.Stable))
                {
                    baseTimestamp = o => o.CommitTimestamp;
                    keep = group.SubscribedTopics;
                }
                if (baseTimestamp is not null)
                {
                    var expired = group.Offsets
                        .Where(kv => keep?.Contains(kv.Key.Topic) != true && !group.PendingOffsetCommits.ContainsKey(kv.Key))
                        .Where(kv => kv.Value.ExpireTimestamp is { } expire
                            ? wallNow >= expire
                            : wallNow - baseTimestamp(kv.Value) >= _options.OffsetsRetentionMs)
                        .Select(kv => kv.Key).ToList();
                    foreach (var partition in expired)
                    {
                        group.Offsets.Remove(partition);
                        records.Add(OffsetRecord(group.GroupId, partition, null));
                    }
                    removed += expired.Count;
                }
                if (group.Is(GroupState.Empty) && !group.HasOffsets)
                {
                    RemoveDeadGroup(group);
                    records.Add(new GroupStoreRecord(new GroupMetadataKey(group.GroupId).Serialize(), null));
                }
            }
            await AppendAsync(group, records).ConfigureAwait(false);
        }
        if (removed > 0)
        {
            _logger.LogInformation("Removed {Count} expired offsets", removed);
        }
        return removed;
    }
}
