using Gregor.Broker.Groups.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>Start-up: rebuilding groups and offsets from the stored records.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// Replays every __consumer_offsets partition in log order: the last record per key wins and a
    /// tombstone removes the key. A group with stored members comes back Stable with its last
    /// assignment (its members must heartbeat within their session timeouts); one without members
    /// comes back Empty; offsets without group metadata make a group that only stores offsets.
    /// A record that cannot be applied (undecodable, or group metadata that cannot be restored, such
    /// as members repeating an id) is logged with its offset and skipped: its key keeps what the
    /// earlier records said, and one bad record never keeps the other groups from loading.
    /// </summary>
    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var offsets = new Dictionary<string, Dictionary<TopicPartitionId, OffsetAndMetadata>>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, GroupMetadata?>(StringComparer.Ordinal);
        for (var partition = 0; partition < _options.OffsetsTopicNumPartitions; partition++)
        {
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
                            metadata[key.Group] = record.Value is null ? null : Restore(key.Group, GroupMetadataValue.Deserialize(record.Value));
                            break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError("Skipping the record at offset {Offset} of __consumer_offsets-{Partition}, which cannot be loaded: {Error}", record.Offset, partition, e.Message);
                }
            }
        }

        var loaded = 0;
        foreach (var groupId in metadata.Keys.Concat(offsets.Keys).Distinct(StringComparer.Ordinal))
        {
            var restored = metadata.GetValueOrDefault(groupId);
            var groupOffsets = offsets.GetValueOrDefault(groupId);
            if (restored is null && (groupOffsets is null || groupOffsets.Count == 0))
            {
                continue;
            }
            var group = restored ?? new GroupMetadata(groupId, GroupState.Empty, NowWallMs);
            foreach (var (tp, offset) in groupOffsets ?? [])
            {
                group.Offsets[tp] = offset;
            }
            lock (group.Lock)
            {
                foreach (var member in group.Members.Values)
                {
                    ScheduleHeartbeatExpiration(group, member, member.SessionTimeoutMs);
                }
            }
            _groups[groupId] = group;
            loaded++;
        }
        _logger.LogInformation("Loaded {Count} groups from __consumer_offsets", loaded);
    }

    private GroupMetadata Restore(string groupId, GroupMetadataValue value)
    {
        var state = value.Members.Count == 0 ? GroupState.Empty : GroupState.Stable;
        var group = new GroupMetadata(groupId, state, value.CurrentStateTimestamp >= 0 ? value.CurrentStateTimestamp : NowWallMs)
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
