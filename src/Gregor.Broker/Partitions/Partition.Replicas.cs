using Gregor.Protocol.Errors;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>What a leader knows of a follower, as <see cref="Partition.Follower"/> reports it (offsets -1 until its first fetch).</summary>
public readonly record struct FollowerSnapshot(int BrokerId, long LogEndOffset, long LogStartOffset, long LastFetchTimeMs, long LastCaughtUpTimeMs);

/// <summary>
/// The leader side of replication: the followers' fetch states, the high watermark over the ISR,
/// appends as leader and acks=all waits. All state here is guarded by the leader lock.
/// </summary>
public sealed partial class Partition
{
    /// <summary>Kafka's default replica.lag.time.max.ms, in force until the broker's is set.</summary>
    public const long DefaultReplicaLagTimeMaxMs = 30_000;

    private FollowerState[] _followers = [];
    private long _leaderEpochStartOffset = -1;
    private long _replicaLagTimeMaxMs = DefaultReplicaLagTimeMaxMs;

    /// <summary>
    /// replica.lag.time.max.ms: a follower that has not caught up with the leader's log end for
    /// this long leaves the ISR, and one caught up within it holds the high watermark back while
    /// it may join. Set from the broker's config by the ISR expiry check.
    /// </summary>
    public long ReplicaLagTimeMaxMs
    {
        get => Volatile.Read(ref _replicaLagTimeMaxMs);
        set => Volatile.Write(ref _replicaLagTimeMaxMs, value);
    }

    /// <summary>The log end when this broker's current leader epoch began (-1 while not leading): a follower joins the ISR only once it has reached it.</summary>
    public long LeaderEpochStartOffset
    {
        get
        {
            lock (_leaderLock)
            {
                return _leadership.Leader == LocalBrokerId ? _leaderEpochStartOffset : -1;
            }
        }
    }

    private long NowMs => _log.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>What this leader knows of follower <paramref name="brokerId"/>, or null when it is not a follower of the partition as led here.</summary>
    public FollowerSnapshot? Follower(int brokerId)
    {
        lock (_leaderLock)
        {
            return FindFollower(brokerId) is { } f
                ? new FollowerSnapshot(f.BrokerId, f.LogEndOffset, f.LogStartOffset, f.LastFetchTimeMs, f.LastCaughtUpTimeMs)
                : null;
        }
    }

    private FollowerState? FindFollower(int brokerId)
    {
        foreach (var follower in _followers)
        {
            if (follower.BrokerId == brokerId)
            {
                return follower;
            }
        }
        return null;
    }

    private static bool Contains(IReadOnlyList<int> brokers, int brokerId)
    {
        for (var i = 0; i < brokers.Count; i++)
        {
            if (brokers[i] == brokerId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A new leader or leader epoch: every follower's state starts afresh (see <see cref="FollowerState.Reset"/>), and the epoch starts at the log end.</summary>
    private void ResetFollowersLocked(LeaderState leadership, bool newLeader)
    {
        var now = NowMs;
        var logEnd = _log.LogEndOffset;
        var followers = new List<FollowerState>(leadership.Replicas.Count);
        foreach (var id in leadership.Replicas)
        {
            if (id == LocalBrokerId)
            {
                continue;
            }
            var known = newLeader ? null : FindFollower(id);
            var follower = known ?? new FollowerState(id);
            follower.Reset(now, logEnd, newLeader: known is null, inSync: Contains(leadership.Isr, id));
            followers.Add(follower);
        }
        _followers = [.. followers];
        _leaderEpochStartOffset = logEnd;
    }

    /// <summary>The same leader epoch restated: followers keep their states; one newly assigned starts unknown.</summary>
    private void KeepFollowersLocked(LeaderState leadership)
    {
        var followers = new List<FollowerState>(leadership.Replicas.Count);
        foreach (var id in leadership.Replicas)
        {
            if (id == LocalBrokerId)
            {
                continue;
            }
            if (FindFollower(id) is not { } follower)
            {
                follower = new FollowerState(id);
                follower.Reset(NowMs, _log.LogEndOffset, newLeader: true, inSync: Contains(leadership.Isr, id));
            }
            followers.Add(follower);
        }
        _followers = [.. followers];
    }

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/> (its log end) with its log start at
    /// <paramref name="followerLogStartOffset"/> (the Fetch handler, after a read that found no
    /// divergence). The high watermark may move; a follower that caught up is proposed to join the
    /// ISR through <paramref name="isrChanges"/> (none: the ISR is left alone). Returns false, and
    /// records nothing, when <paramref name="replicaId"/> is not a follower of the partition as led
    /// here: such a fetch is never trusted.
    /// </summary>
    public bool UpdateFollowerFetchState(int replicaId, long fetchOffset, long followerLogStartOffset, long nowMs, IIsrChangeSender? isrChanges = null)
    {
        bool moved;
        IsrChange? expansion = null;
        lock (_leaderLock)
        {
            if (_leadership.Leader != LocalBrokerId || FindFollower(replicaId) is not { } follower)
            {
                return false;
            }
            var previous = follower.LogEndOffset;
            follower.UpdateFetchState(fetchOffset, followerLogStartOffset, nowMs, _log.LogEndOffset);
            if (isrChanges is not null)
            {
                expansion = PrepareExpansionLocked(follower);
            }
            moved = previous != fetchOffset && MaybeIncrementHighWatermarkLocked();
        }
        if (moved)
        {
            _highWatermarkMoved.Signal();
        }
        if (expansion is not null)
        {
            Send(expansion, isrChanges!);
        }
        return true;
    }

    /// <summary>Recomputes the high watermark as leader (see <see cref="MaybeIncrementHighWatermarkLocked"/>) and wakes its waiters when it moved.</summary>
    internal void MaybeIncrementHighWatermark()
    {
        bool moved;
        lock (_leaderLock)
        {
            moved = MaybeIncrementHighWatermarkLocked();
        }
        if (moved)
        {
            _highWatermarkMoved.Signal();
        }
    }

    /// <summary>
    /// Kafka's maybeIncrementLeaderHW. The high watermark is the smallest log end over the leader
    /// and every follower in the maximal ISR (the committed ISR with any change in flight: a
    /// follower being removed still counts until the removal is committed; one being added holds
    /// the high watermark back at once but counts towards min.insync.replicas only once committed), or caught up within replica.lag.time.max.ms (it is about to join, and must not be
    /// outrun). It only moves up, and not at all while the committed ISR is smaller than
    /// min(min.insync.replicas, replication factor) (KIP-966: what a lone leader appends is not
    /// exposed before others have it). With no followers (replication factor 1) it is the log end:
    /// no clock is read and nothing allocated. Returns true when it moved.
    /// </summary>
    private bool MaybeIncrementHighWatermarkLocked()
    {
        var leadership = _leadership;
        if (leadership.Leader != LocalBrokerId)
        {
            return false;
        }
        var logEnd = _log.LogEndOffset;
        var highWatermark = logEnd;
        if (_followers.Length > 0)
        {
            if (leadership.Isr.Count < Math.Min(Config.MinInSyncReplicas, leadership.Replicas.Count))
            {
                return false;
            }
            var now = NowMs;
            var lag = ReplicaLagTimeMaxMs;
            var pending = _pendingIsr;
            foreach (var follower in _followers)
            {
                if (follower.LogEndOffset < highWatermark
                    && (Contains(leadership.Isr, follower.BrokerId) || (pending is not null && Contains(pending.NewIsr, follower.BrokerId))
                        || follower.IsCaughtUp(logEnd, now, lag)))
                {
                    highWatermark = follower.LogEndOffset;
                }
            }
        }
        if (highWatermark <= _log.HighWatermark)
        {
            return false;
        }
        _log.UpdateHighWatermark(highWatermark);
        return true;
    }

    /// <summary>
    /// Appends validated batches as leader, in the current leader epoch, under the leader lock;
    /// false (nothing appended) when this broker does not lead the partition. When the append
    /// needs no flush, the high watermark is moved and waiters woken here; otherwise
    /// <see cref="OnFlushedAppend"/> does it once the flush completes.
    /// </summary>
    internal bool TryAppendAsLeader(Memory<byte> batches, out ValueTask<AppendInfo> append)
    {
        bool moved;
        lock (_leaderLock)
        {
            var leadership = _leadership;
            if (leadership.Leader != LocalBrokerId)
            {
                append = default;
                return false;
            }
            append = _log.AppendAsync(batches, leadership.LeaderEpoch);
            if (!append.IsCompletedSuccessfully || append.Result.IsDuplicate)
            {
                return true;
            }
            moved = MaybeIncrementHighWatermarkLocked();
        }
        _dataArrived.Signal();
        if (moved)
        {
            _highWatermarkMoved.Signal();
        }
        return true;
    }

    /// <summary>An append as leader that waited for its flush is on disk: the high watermark may move and fetches wake.</summary>
    internal void OnFlushedAppend()
    {
        MaybeIncrementHighWatermark();
        _dataArrived.Signal();
    }

    /// <summary>
    /// Kafka's checkEnoughReplicasReachOffset for an acks=all produce whose batches end before
    /// <paramref name="requiredOffset"/>: done with NOT_LEADER_OR_FOLLOWER when this broker no
    /// longer leads the partition, with NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR fell below
    /// min.insync.replicas, without error once the high watermark reached it; not done otherwise.
    /// </summary>
    public (bool Done, ErrorCode Error) CheckReplication(long requiredOffset)
    {
        var leadership = Leadership;
        if (leadership.Leader != LocalBrokerId)
        {
            return (true, ErrorCode.NotLeaderOrFollower);
        }
        if (leadership.Isr.Count < Config.MinInSyncReplicas)
        {
            return (true, ErrorCode.NotEnoughReplicasAfterAppend);
        }
        return (HighWatermark >= requiredOffset, ErrorCode.None);
    }

    /// <summary>
    /// Waits until <see cref="CheckReplication"/> is done for <paramref name="requiredOffset"/>
    /// (Kafka's DelayedProduce), woken by high watermark moves, ISR and leadership changes.
    /// Completes at once, without allocating, when it is done already; throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    public ValueTask<ErrorCode> WaitForReplicationAsync(long requiredOffset, CancellationToken cancellationToken)
    {
        var (done, error) = CheckReplication(requiredOffset);
        return done ? ValueTask.FromResult(error) : WaitSlowAsync(requiredOffset, cancellationToken);
    }

    private async ValueTask<ErrorCode> WaitSlowAsync(long requiredOffset, CancellationToken cancellationToken)
    {
        while (true)
        {
            var moved = HighWatermarkMoved;
            var (done, error) = CheckReplication(requiredOffset);
            if (done)
            {
                return error;
            }
            await moved.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
