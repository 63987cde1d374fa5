using Gregor.Protocol.Errors;

namespace Gregor.Broker.Partitions;

/// <summary>
/// ISR changes as leader (Kafka's maybeExpandIsr / maybeShrinkIsr and the AlterPartition answer):
/// a change is proposed to the controller and committed only when it answers; one at a time.
/// Guarded by the leader lock.
/// </summary>
public sealed partial class Partition
{
    private IsrChange? _pendingIsr;

    /// <summary>The ISR change proposed to the controller and not answered yet, if any.</summary>
    public IsrChange? PendingIsrChange
    {
        get
        {
            lock (_leaderLock)
            {
                return _pendingIsr;
            }
        }
    }

    /// <summary>
    /// A follower joins the ISR once its log end has reached the high watermark and the start of
    /// this leader's epoch (so it holds everything the epoch may have committed).
    /// </summary>
    private IsrChange? PrepareExpansionLocked(FollowerState follower)
    {
        var leadership = _leadership;
        if (_pendingIsr is not null || Contains(leadership.Isr, follower.BrokerId))
        {
            return null;
        }
        var highWatermark = _log.HighWatermark;
        if (follower.LogEndOffset < highWatermark || _leaderEpochStartOffset < 0 || follower.LogEndOffset < _leaderEpochStartOffset)
        {
            return null;
        }
        _pendingIsr = new IsrChange(TopicPartition, TopicId, leadership.LeaderEpoch, leadership.PartitionEpoch, [.. leadership.Isr, follower.BrokerId],
            $"replica {follower.BrokerId} caught up: log end {follower.LogEndOffset}, high watermark {highWatermark}, leader epoch {leadership.LeaderEpoch} started at {_leaderEpochStartOffset}");
        return _pendingIsr;
    }

    /// <summary>
    /// Kafka's maybeShrinkIsr (run every half replica.lag.time.max.ms over the partitions led
    /// here): proposes an ISR without the followers that have not caught up with the leader's log
    /// end within <see cref="ReplicaLagTimeMaxMs"/> of <paramref name="nowMs"/>. The leader always
    /// stays. Returns the change proposed, or null (not leader, a change in flight, all in sync).
    /// </summary>
    public IsrChange? MaybeShrinkIsr(long nowMs, IIsrChangeSender isrChanges)
    {
        IsrChange change;
        lock (_leaderLock)
        {
            var leadership = _leadership;
            if (leadership.Leader != LocalBrokerId || _pendingIsr is not null)
            {
                return null;
            }
            var logEnd = _log.LogEndOffset;
            var lag = ReplicaLagTimeMaxMs;
            List<string>? outOfSync = null;
            var newIsr = new List<int>(leadership.Isr.Count);
            foreach (var id in leadership.Isr)
            {
                var follower = id == LocalBrokerId ? null : FindFollower(id);
                if (id == LocalBrokerId || (follower is not null && follower.IsCaughtUp(logEnd, nowMs, lag)))
                {
                    newIsr.Add(id);
                    continue;
                }
                (outOfSync ??= []).Add(follower is null
                    ? $"{id} (not an assigned replica)"
                    : $"{id} (log end {follower.LogEndOffset}, last caught up {nowMs - follower.LastCaughtUpTimeMs} ms ago)");
            }
            if (outOfSync is null)
            {
                return null;
            }
            if (!newIsr.Contains(LocalBrokerId))
            {
                newIsr.Insert(0, LocalBrokerId);
            }
            change = new IsrChange(TopicPartition, TopicId, leadership.LeaderEpoch, leadership.PartitionEpoch, newIsr,
                $"out of sync with the leader's log end {logEnd} for more than {lag} ms: replica {string.Join(", ", outOfSync)}");
            _pendingIsr = change;
        }
        Send(change, isrChanges);
        return change;
    }

    /// <summary>A sender that already has a change of this partition on its way refuses another: the proposal is dropped and made again later.</summary>
    private void Send(IsrChange change, IIsrChangeSender isrChanges)
    {
        if (!isrChanges.Submit(this, change))
        {
            CompleteIsrChange(change, IsrChangeResult.Failed(ErrorCode.OperationNotAttempted));
        }
    }

    /// <summary>
    /// The controller's answer to <paramref name="change"/>, as Kafka's leader applies it. Ignored
    /// unless it is still the change in flight. Success in this leader epoch commits the answered
    /// ISR and partition epoch (the high watermark may move: a removed follower no longer holds it
    /// back). OPERATION_NOT_ATTEMPTED and INELIGIBLE_REPLICA drop the proposal (it may be made
    /// again); any other error (INVALID_UPDATE_VERSION, FENCED_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER,
    /// UNKNOWN_TOPIC_OR_PARTITION) keeps it in flight until the controller's LeaderAndIsr states
    /// the partition afresh. Returns true when the ISR was committed.
    /// </summary>
    public bool CompleteIsrChange(IsrChange change, IsrChangeResult result)
    {
        lock (_leaderLock)
        {
            if (!ReferenceEquals(_pendingIsr, change))
            {
                return false;
            }
            var leadership = _leadership;
            if (result.Error is ErrorCode.OperationNotAttempted or ErrorCode.IneligibleReplica)
            {
                _pendingIsr = null;
                return false;
            }
            if (result.Error != ErrorCode.None || result.LeaderEpoch != leadership.LeaderEpoch || result.PartitionEpoch < leadership.PartitionEpoch)
            {
                return false;
            }
            Volatile.Write(ref _leadership, leadership with { Isr = [.. result.Isr], PartitionEpoch = result.PartitionEpoch });
            _pendingIsr = null;
            MaybeIncrementHighWatermarkLocked();
        }
        // The ISR changed: acks=all waiters look again even when the high watermark stayed.
        _highWatermarkMoved.Signal();
        return true;
    }
}
