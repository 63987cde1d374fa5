using System.Collections.Concurrent;
using Gregor.Broker.Cluster;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>
/// The classic consumer group protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) and committed
/// offsets, as Kafka's GroupCoordinator does them, for the groups whose __consumer_offsets
/// partition this broker leads (<see cref="ICoordinatorPartitions"/>; a single-node broker leads
/// every one, <see cref="StartAsync"/> elects them all).
/// Ownership: <see cref="_terms"/> holds, per offsets partition, the current
/// <see cref="OffsetsPartitionTerm"/> (null: not led here); it and <see cref="_epochs"/> change
/// under <see cref="_partitionLock"/>, and <see cref="_groups"/> gains a loaded group or loses an
/// unloaded one only under that lock too, so a group is in the map only while its term is current.
/// <see cref="_groups"/> is a concurrent map of group id → <see cref="GroupMetadata"/>; each
/// group's state is guarded by that group's own lock (never two group locks at once, never held
/// across an await, and <see cref="_partitionLock"/> is never taken while holding one). A group is
/// removed from the map only under its lock after turning Dead, and every operation re-checks Dead
/// after taking the lock. Timers (session, rebalance, sync, pending-member, offset expiry) are
/// runtime timers that call back into the coordinator, which takes the group lock and re-checks
/// deadlines. <see cref="_active"/> is a flag written at start-up and shut-down.
/// </summary>
public sealed partial class GroupCoordinator : ICoordinatorPartitions, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GroupMetadata> _groups = new(StringComparer.Ordinal);
    private readonly GroupCoordinatorOptions _options;
    private readonly IGroupStore _store;
    private readonly Func<int, BrokerEndpoint?>? _leaderOf;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _partitionLock = new();
    private readonly OffsetsPartitionTerm?[] _terms;
    private readonly int?[] _epochs;
    private DeadlineTimer? _expirationTimer;
    private volatile bool _active;

    /// <param name="leaderOf">The live broker leading a partition of __consumer_offsets as the
    /// metadata says (null: none), for FindCoordinator; it may create the topic when missing.</param>
    public GroupCoordinator(GroupCoordinatorOptions options, IGroupStore store, ILogger<GroupCoordinator> logger, TimeProvider? time = null,
        Func<int, BrokerEndpoint?>? leaderOf = null)
    {
        _options = options;
        _store = store;
        _logger = logger;
        _leaderOf = leaderOf;
        _time = time ?? TimeProvider.System;
        _startTimestamp = _time.GetTimestamp();
        _terms = new OffsetsPartitionTerm?[options.OffsetsTopicNumPartitions];
        _epochs = new int?[options.OffsetsTopicNumPartitions];
    }

    public GroupCoordinatorOptions Options => _options;

    /// <summary>Which __consumer_offsets partition holds <paramref name="groupId"/>.</summary>
    public int PartitionFor(string groupId) => GroupPartitioner.PartitionFor(groupId, _options.OffsetsTopicNumPartitions);

    /// <summary>Starts serving the partitions elected from now on (requests answer
    /// COORDINATOR_NOT_AVAILABLE before) and the periodic offset expiry.</summary>
    public void Start()
    {
        if (_active)
        {
            return;
        }
        _active = true;
        _expirationTimer = new DeadlineTimer(_time, OnExpirationTimer);
        _expirationTimer.Schedule(_options.OffsetsRetentionCheckIntervalMs);
    }

    /// <summary>Single node: this broker leads every __consumer_offsets partition. Starts serving,
    /// elects them all (their groups answer COORDINATOR_LOAD_IN_PROGRESS until loaded) and completes
    /// once they are loaded; throws when one could not be (its groups answer COORDINATOR_NOT_AVAILABLE,
    /// since serving without the stored offsets would hand consumers wrong positions).</summary>
    public async Task StartAsync()
    {
        Start();
        var loads = new List<Task>(_terms.Length);
        for (var partition = 0; partition < _terms.Length; partition++)
        {
            OnElection(partition, coordinatorEpoch: 0);
            loads.Add(Volatile.Read(ref _terms[partition])?.Loaded ?? Task.CompletedTask);
        }
        await Task.WhenAll(loads).ConfigureAwait(false);
        var failed = _terms.Count(t => t?.State == OffsetsPartitionState.Failed);
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} partitions of __consumer_offsets could not be loaded");
        }
    }

    /// <summary>Stops the timers and answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR
    /// (the clients will look for the coordinator again).</summary>
    public ValueTask DisposeAsync()
    {
        _active = false;
        _shutdown.Cancel();
        _expirationTimer?.Dispose();
        lock (_partitionLock)
        {
            for (var partition = 0; partition < _terms.Length; partition++)
            {
                Unload(partition);
            }
        }
        return ValueTask.CompletedTask;
    }

    internal long NowMonotonicMs => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    internal long NowWallMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal bool TryGetGroup(string groupId, out GroupMetadata group) => _groups.TryGetValue(groupId, out group!);

    /// <summary>Kafka's validateGroupStatus: INVALID_GROUP_ID for a null id (or an empty one, where
    /// the API needs a real group), COORDINATOR_NOT_AVAILABLE when not serving (or when the group's
    /// partition could not be loaded), COORDINATOR_LOAD_IN_PROGRESS while the group's partition is
    /// being loaded, and NOT_COORDINATOR when this broker does not lead it.</summary>
    private ErrorCode ValidateGroupStatus(string? groupId, bool allowEmptyGroupId)
    {
        if (groupId is null || (!allowEmptyGroupId && groupId.Length == 0))
        {
            return ErrorCode.InvalidGroupId;
        }
        if (!_active)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        return Volatile.Read(ref _terms[PartitionFor(groupId)])?.State switch
        {
            OffsetsPartitionState.Owned => ErrorCode.None,
            OffsetsPartitionState.Loading => ErrorCode.CoordinatorLoadInProgress,
            OffsetsPartitionState.Failed => ErrorCode.CoordinatorNotAvailable,
            _ => ErrorCode.NotCoordinator,
        };
    }

    private bool OwnsPartitionOf(string groupId) =>
        Volatile.Read(ref _terms[PartitionFor(groupId)])?.State == OffsetsPartitionState.Owned;

    /// <summary>The answer for a group that is not in the map after the request was validated:
    /// <paramref name="error"/>, unless the group's partition was unloaded meanwhile.</summary>
    private ErrorCode Missing(string groupId, ErrorCode error) => OwnsPartitionOf(groupId) ? error : ErrorCode.NotCoordinator;

    /// <summary>The answer for a request that found its group Dead under the lock: NOT_COORDINATOR
    /// when its partition was unloaded (the client looks for the new coordinator), else Kafka's
    /// COORDINATOR_NOT_AVAILABLE (a concurrent delete or expiry).</summary>
    private static ErrorCode DeadGroupError(GroupMetadata group) =>
        group.Term.State == OffsetsPartitionState.Unloaded ? ErrorCode.NotCoordinator : ErrorCode.CoordinatorNotAvailable;

    /// <summary>Kafka's answer for DeleteGroups and OffsetDelete on a Dead group: GROUP_ID_NOT_FOUND,
    /// or NOT_COORDINATOR when it died because its partition was unloaded.</summary>
    private static ErrorCode DeadGroupNotFoundError(GroupMetadata group) =>
        group.Term.State == OffsetsPartitionState.Unloaded ? ErrorCode.NotCoordinator : ErrorCode.GroupIdNotFound;

    /// <summary>The group, created Empty when missing; null when this broker no longer owns its
    /// partition (answer NOT_COORDINATOR). A group is added only under the partition lock, so
    /// never to a partition whose unload already ran.</summary>
    private GroupMetadata? GetOrCreateGroup(string groupId)
    {
        var partition = PartitionFor(groupId);
        while (true)
        {
            GroupMetadata group;
            lock (_partitionLock)
            {
                var term = _terms[partition];
                if (term?.State != OffsetsPartitionState.Owned)
                {
                    return null;
                }
                group = _groups.GetOrAdd(groupId, static (id, state) => new GroupMetadata(id, GroupState.Empty, state.Now, state.Term), (Now: NowWallMs, Term: term));
            }
            lock (group.Lock)
            {
                if (!group.Is(GroupState.Dead))
                {
                    return group;
                }
            }
            // A concurrent delete or expiry killed it between the lookup and the lock: start afresh.
            _groups.TryRemove(new KeyValuePair<string, GroupMetadata>(groupId, group));
        }
    }

    /// <summary>Turns the group Dead and drops it from the map. Caller holds the group's lock.</summary>
    private void RemoveDeadGroup(GroupMetadata group)
    {
        group.TransitionTo(GroupState.Dead, NowWallMs);
        foreach (var member in group.Members.Values)
        {
            member.SessionTimer?.Dispose();
            member.SessionTimer = null;
        }
        DisposeGroupTimers(group);
        _groups.TryRemove(new KeyValuePair<string, GroupMetadata>(group.GroupId, group));
    }

    private static void DisposeGroupTimers(GroupMetadata group)
    {
        group.JoinTimer?.Dispose();
        group.JoinTimer = null;
        group.JoinDeadline = long.MaxValue;
        group.SyncTimer?.Dispose();
        group.SyncTimer = null;
        group.SyncDeadline = long.MaxValue;
        foreach (var timer in group.PendingMembers.Values)
        {
            timer.Dispose();
        }
        group.PendingMembers.Clear();
    }

    private static TaskCompletionSource<T> NewCallback<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Stores the group's records in its partition, only while the group's term owns the
    /// partition: NOT_COORDINATOR once it was unloaded (the records are not written).</summary>
    private async ValueTask<ErrorCode> AppendAsync(GroupMetadata group, IReadOnlyList<GroupStoreRecord> records)
    {
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }
        var term = group.Term;
        if (!term.TryBeginWrite())
        {
            _logger.LogDebug("Not storing {Count} records of group {GroupId}: __consumer_offsets-{Partition} is no longer owned", records.Count, group.GroupId, term.Partition);
            return ErrorCode.NotCoordinator;
        }
        try
        {
            await _store.AppendAsync(term.Partition, records, _shutdown.Token).ConfigureAwait(false);
            return ErrorCode.None;
        }
        catch (KafkaStorageException e)
        {
            // The offsets partition's log dir is offline (logged once when it failed). Kafka answers
            // NOT_COORDINATOR for a storage error, so the client looks for the coordinator again.
            _logger.LogDebug("Could not store {Count} records of group {GroupId}: {Error}", records.Count, group.GroupId, e.Message);
            return ErrorCode.NotCoordinator;
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not store {Count} records of group {GroupId}", records.Count, group.GroupId);
            return ErrorCode.CoordinatorNotAvailable;
        }
        finally
        {
            term.EndWrite();
        }
    }
}
