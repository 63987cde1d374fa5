using System.Collections.Concurrent;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups;

/// <summary>
/// The classic consumer group protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) and committed
/// offsets, as Kafka's GroupCoordinator does them, for every group (a single-node broker leads
/// every __consumer_offsets partition).
/// Ownership: <see cref="_groups"/> is a concurrent map of group id → <see cref="GroupMetadata"/>;
/// each group's state is guarded by that group's own lock (never two group locks at once, never
/// held across an await). A group is removed from the map only under its lock after turning
/// Dead, and every operation re-checks Dead after taking the lock. Timers (session, rebalance,
/// sync, pending-member, offset expiry) are runtime timers that call back into the coordinator,
/// which takes the group lock and re-checks deadlines. <see cref="_loading"/> and
/// <see cref="_active"/> are flags written at start-up and shut-down.
/// </summary>
public sealed partial class GroupCoordinator : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GroupMetadata> _groups = new(StringComparer.Ordinal);
    private readonly GroupCoordinatorOptions _options;
    private readonly IGroupStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _shutdown = new();
    private DeadlineTimer? _expirationTimer;
    private volatile bool _loading;
    private volatile bool _active;

    public GroupCoordinator(GroupCoordinatorOptions options, IGroupStore store, ILogger<GroupCoordinator> logger, TimeProvider? time = null)
    {
        _options = options;
        _store = store;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _startTimestamp = _time.GetTimestamp();
    }

    public GroupCoordinatorOptions Options => _options;

    /// <summary>Which __consumer_offsets partition holds <paramref name="groupId"/>.</summary>
    public int PartitionFor(string groupId) => GroupPartitioner.PartitionFor(groupId, _options.OffsetsTopicNumPartitions);

    /// <summary>Loads the stored groups and offsets (answering COORDINATOR_LOAD_IN_PROGRESS meanwhile),
    /// then starts the periodic offset expiry. Requests are accepted (with that error) from the
    /// moment this is called; a failed load leaves the coordinator answering COORDINATOR_NOT_AVAILABLE.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _loading = true;
        _active = true;
        try
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Serving without the stored offsets would hand consumers wrong positions.
            _active = false;
            _logger.LogError(e, "Could not load the group coordinator's state; group requests get COORDINATOR_NOT_AVAILABLE");
            throw;
        }
        finally
        {
            _loading = false;
        }
        _expirationTimer = new DeadlineTimer(_time, OnExpirationTimer);
        _expirationTimer.Schedule(_options.OffsetsRetentionCheckIntervalMs);
    }

    /// <summary>Stops the timers and answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR
    /// (the clients will look for the coordinator again).</summary>
    public ValueTask DisposeAsync()
    {
        _active = false;
        _shutdown.Cancel();
        _expirationTimer?.Dispose();
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
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
        return ValueTask.CompletedTask;
    }

    internal long NowMonotonicMs => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    internal long NowWallMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal bool TryGetGroup(string groupId, out GroupMetadata group) => _groups.TryGetValue(groupId, out group!);

    /// <summary>Kafka's validateGroupStatus: INVALID_GROUP_ID for a null id (or an empty one, where
    /// the API needs a real group), COORDINATOR_NOT_AVAILABLE when not serving, and
    /// COORDINATOR_LOAD_IN_PROGRESS while the stored state is being loaded.</summary>
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
        if (_loading)
        {
            return ErrorCode.CoordinatorLoadInProgress;
        }
        return ErrorCode.None;
    }

    private GroupMetadata GetOrCreateGroup(string groupId)
    {
        while (true)
        {
            var group = _groups.GetOrAdd(groupId, id => new GroupMetadata(id, GroupState.Empty, NowWallMs));
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

    private async ValueTask<ErrorCode> AppendAsync(string groupId, IReadOnlyList<GroupStoreRecord> records)
    {
        if (records.Count == 0)
        {
            return ErrorCode.None;
        }
        try
        {
            await _store.AppendAsync(PartitionFor(groupId), records, _shutdown.Token).ConfigureAwait(false);
            return ErrorCode.None;
        }
        catch (KafkaStorageException e)
        {
            // The offsets partition's log dir is offline (logged once when it failed). Kafka answers
            // NOT_COORDINATOR for a storage error, so the client looks for the coordinator again.
            _logger.LogDebug("Could not store {Count} records of group {GroupId}: {Error}", records.Count, groupId, e.Message);
            return ErrorCode.NotCoordinator;
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Could not store {Count} records of group {GroupId}", records.Count, groupId);
            return ErrorCode.CoordinatorNotAvailable;
        }
    }
}
