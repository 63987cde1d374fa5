using Gregor.Broker.Groups.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>Loading a partition: rebuilding its groups and offsets from the stored records.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Replays one __consumer_offsets partition in log order: the last record per key wins and a
    /// tombstone removes the key. A group with stored members comes back Stable with its last
    /// assignment (its members must heartbeat within their session timeouts); one without members
    /// comes back Empty; offsets without group metadata make a group that only stores offsets.
    /// A record that cannot be applied (undecodable, or group metadata that cannot be restored, such
    /// as members repeating an id) is logged with its offset and skipped: its key keeps what the
    /// earlier records said, and one bad record never keeps the other groups from loading.
    /// The groups come back unpublished, their timers not started, belonging to <paramref name="term"/>.
    /// </summary>
    private async Task<List<GroupMetadata>> ReadPartitionAsync(OffsetsPartitionTerm term, CancellationToken cancellationToken)
    {
        var partition = term.Partition;
        var offsets = new Dictionary<string, Dictionary<TopicPartitionId, OffsetAndMetadata>>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, GroupMetadata?>(StringComparer.Ordinal);
        await foreach (var record in _store.ReadAsync(partition, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                switch (GroupRecordKey.Deserialize(record.Key))
                {
                    case OffsetCommitKey key:
                        var tp = new TopicPartitionId(key.Topic, key.Partition);
                        if (!offsets.TryGetValue(key.Group, out var groupOffsets))
                        {
                            offsets[key.Group] = groupOffsets = [];
                        }
                        if (record.Value is null)
                        {
                            groupOffsets.Remove(tp);
                        }
                        else
                        {
                            groupOffsets[tp] = OffsetCommitValue.Deserialize(record.Value).ToOffsetAndMetadata();
                        }
                        break;
                    case GroupMetadataKey key:
                        // Restored now, so that a value that cannot be is skipped like an undecodable one.
                        metadata[key.Group] = record.Value is null ? null : Restore(key.Group, GroupMetadataValue.Deserialize(record.Value), term);
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError("Skipping the record at offset {Offset} of __consumer_offsets-{Partition}, which cannot be loaded: {Error}", record.Offset, partition, e.Message);
            }
        }

        var groups = new List<GroupMetadata>();
        foreach (var groupId in metadata.Keys.Concat(offsets.Keys).Distinct(StringComparer.Ordinal))
        {
            var restored = metadata.GetValueOrDefault(groupId);
            var groupOffsets = offsets.GetValueOrDefault(groupId);
            if (restored is null && (groupOffsets is null || groupOffsets.Count == 0))
            {
                continue;
            }
            if (PartitionFor(groupId) != partition)
            {
                // Written under another partition count: requests for it look in another partition.
                _logger.LogError("Skipping group {GroupId} found in __consumer_offsets-{Partition}: it belongs in partition {Expected}", groupId, partition, PartitionFor(groupId));
                continue;
            }
            var group = restored ?? new GroupMetadata(groupId, GroupState.Empty, NowWallMs, term);
            foreach (var (tp, offset) in groupOffsets ?? [])
            {
                group.Offsets[tp] = offset;
            }
            groups.Add(group);
        }
        return groups;
    }

    /// <summary>
    /// The background load of a newly elected partition: replays it, then (unless it was resigned
    /// meanwhile) publishes its groups, starts their members' session timers and marks the term
    /// Owned, all under the partition lock so that a resignation sees either nothing or everything.
    /// </summary>
    private async Task LoadPartitionAsync(OffsetsPartitionTerm term)
    {
        var started = _time.GetTimestamp();
        try
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(term.Unloading, _shutdown.Token);
            var groups = await ReadPartitionAsync(term, cancel.Token).ConfigureAwait(false);
            lock (_partitionLock)
            {
                if (_terms[term.Partition] != term || !term.TryMarkOwned())
                {
                    _logger.LogInformation("Dropping the groups loaded from __consumer_offsets-{Partition}: it was resigned meanwhile", term.Partition);
                    return;
                }
                foreach (var group in groups)
                {
                    _groups[group.GroupId] = group;
                    lock (group.Lock)
                    {
                        foreach (var member in group.Members.Values)
                        {
                            ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
                        }
                    }
                }
            }
            _logger.LogInformation("Loaded {Count} groups from __consumer_offsets-{Partition} for epoch {Epoch} in {Elapsed} ms",
                groups.Count, term.Partition, term.Epoch, (long)_time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (term.State == OffsetsPartitionState.Unloaded || _shutdown.IsCancellationRequested)
        {
            _logger.LogInformation("Stopped loading __consumer_offsets-{Partition}: it was resigned", term.Partition);
        }
        catch (Exception e)
        {
            // Serving without the stored offsets would hand consumers wrong positions.
            term.MarkFailed();
            _logger.LogError(e, "Could not load the groups of __consumer_offsets-{Partition}; they get COORDINATOR_NOT_AVAILABLE", term.Partition);
        }
        finally
        {
            term.LoadEnded();
        }
    }

    private GroupMetadata Restore(string groupId, GroupMetadataValue value, OffsetsPartitionTerm term)
    {
        var state = value.Members.Count == 0 ? GroupState.Empty : GroupState.Stable;
        var group = new GroupMetadata(groupId, state, value.CurrentStateTimestamp >= 0 ? value.CurrentStateTimestamp : NowWallMs, term)
        {
            GenerationId = value.Generation,
            ProtocolType = value.ProtocolType.Length == 0 ? null : value.ProtocolType,
            ProtocolName = value.Members.Count == 0 ? null : value.Protocol,
        };
        foreach (var m in value.Members)
        {
            var protocols = value.Protocol is null ? [] : new[] { new GroupProtocol(value.Protocol, m.Subscription) };
            group.Add(new MemberMetadata(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                m.RebalanceTimeout >= 0 ? m.RebalanceTimeout : m.SessionTimeout, m.SessionTimeout, value.ProtocolType, protocols, m.Assignment), null);
        }
        group.ProtocolType = value.ProtocolType.Length == 0 ? null : value.ProtocolType;
        group.LeaderId = value.Leader is not null && group.Has(value.Leader) ? value.Leader : group.LeaderId;
        group.ComputeSubscribedTopics();
        return group;
    }
}
