using Gregor.Broker.Cluster;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>Which __consumer_offsets partitions this coordinator owns: elections, resignations,
/// and where FindCoordinator sends a group.</summary>
public sealed partial class GroupCoordinator
{
    /// <summary>FindCoordinator for a group: the leader of its __consumer_offsets partition as the
    /// metadata says (whether or not it has loaded the partition yet); null when there is none.</summary>
    public BrokerEndpoint? CoordinatorFor(string groupId)
    {
        try
        {
            return _leaderOf?.Invoke(PartitionFor(groupId));
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not find the leader of __consumer_offsets-{Partition}", PartitionFor(groupId));
            return null;
        }
    }

    /// <summary>Kafka's onElection: loads the partition's groups and offsets in the background.
    /// Ignored when the epoch is older than one already seen, or when the partition is already
    /// loading or owned; a partition whose load failed is loaded again.</summary>
    public void OnElection(int partition, int coordinatorEpoch)
    {
        if (!IsOffsetsPartition(partition) || _shutdown.IsCancellationRequested)
        {
            return;
        }
        OffsetsPartitionTerm term;
        lock (_partitionLock)
        {
            if (!MaybeUpdateEpoch(partition, coordinatorEpoch))
            {
                _logger.LogInformation("Not loading __consumer_offsets-{Partition} for epoch {Epoch}: the current epoch is {Current}", partition, coordinatorEpoch, _epochs[partition]);
                return;
            }
            if (_terms[partition] is { State: OffsetsPartitionState.Loading or OffsetsPartitionState.Owned })
            {
                return;
            }
            _ = Unload(partition);
            term = new OffsetsPartitionTerm(partition, coordinatorEpoch);
            Volatile.Write(ref _terms[partition], term);
        }
        _logger.LogInformation("Elected as the group coordinator for __consumer_offsets-{Partition} in epoch {Epoch}", partition, coordinatorEpoch);
        _ = Task.Run(() => LoadPartitionAsync(term));
    }

    /// <summary>Kafka's onResignation: drops the partition's groups at once (their parked
    /// JoinGroup/SyncGroup answered NOT_COORDINATOR, their timers stopped; a later election loads
    /// them again from the log). Ignored when the epoch is older than one already seen.</summary>
    public Task OnResignation(int partition, int? coordinatorEpoch)
    {
        if (!IsOffsetsPartition(partition))
        {
            return Task.CompletedTask;
        }
        lock (_partitionLock)
        {
            if (!MaybeUpdateEpoch(partition, coordinatorEpoch))
            {
                _logger.LogInformation("Not unloading __consumer_offsets-{Partition} for epoch {Epoch}: the current epoch is {Current}", partition, coordinatorEpoch, _epochs[partition]);
                return Task.CompletedTask;
            }
            _logger.LogInformation("Resigned as the group coordinator for __consumer_offsets-{Partition} in epoch {Epoch}", partition, coordinatorEpoch);
            return Unload(partition);
        }
    }

    private bool IsOffsetsPartition(int partition)
    {
        if (partition >= 0 && partition < _terms.Length)
        {
            return true;
        }
        _logger.LogWarning("Ignoring a leadership change of __consumer_offsets-{Partition}: groups are placed over {Count} partitions", partition, _terms.Length);
        return false;
    }

    /// <summary>Kafka's maybeUpdateCoordinatorEpoch: keeps the highest epoch seen for the partition;
    /// true when <paramref name="epoch"/> is null or at least that high. Caller holds the partition lock.</summary>
    private bool MaybeUpdateEpoch(int partition, int? epoch)
    {
        if (epoch is not { } value)
        {
            return true;
        }
        if (_epochs[partition] is { } current && value < current)
        {
            return false;
        }
        _epochs[partition] = value;
        return true;
    }

    /// <summary>Ends the partition's term, if any: from now on its groups are not served and their
    /// records not written; every group of the term turns Dead and leaves the map. The task
    /// completes once the term's writes in flight have ended. Caller holds the partition lock.</summary>
    private Task Unload(int partition)
    {
        var term = _terms[partition];
        if (term is null)
        {
            return Task.CompletedTask;
        }
        Volatile.Write(ref _terms[partition], null);
        var drained = term.Unload();
        var unloaded = 0;
        foreach (var group in _groups.Values)
        {
            if (group.Term != term)
            {
                continue;
            }
            lock (group.Lock)
            {
                UnloadGroup(group);
            }
            _groups.TryRemove(new KeyValuePair<string, GroupMetadata>(group.GroupId, group));
            unloaded++;
        }
        if (unloaded > 0)
        {
            _logger.LogInformation("Unloaded {Count} groups of __consumer_offsets-{Partition}", unloaded, partition);
        }
        return drained;
    }

    /// <summary>Kafka's onGroupUnloaded: the group turns Dead, its parked JoinGroup and SyncGroup
    /// responses get NOT_COORDINATOR (the members look for the new coordinator) and its timers stop.
    /// Caller holds the group's lock.</summary>
    private void UnloadGroup(GroupMetadata group)
    {
        group.TransitionTo(GroupState.Dead, NowWallMs);
        foreach (var member in group.Members.Values)
        {
            group.MaybeInvokeJoinCallback(member, JoinGroupResult.Failure(ErrorCode.NotCoordinator, member.MemberId));
            group.MaybeInvokeSyncCallback(member, SyncGroupResult.Failure(ErrorCode.NotCoordinator));
            member.SessionTimer?.Dispose();
            member.SessionTimer = null;
        }
        DisposeGroupTimers(group);
    }
}
