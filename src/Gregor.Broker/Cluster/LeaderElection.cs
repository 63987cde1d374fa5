namespace Gregor.Broker.Cluster;

/// <summary>A partition's new leader and ISR; <see cref="Unclean"/> when the leader came from outside the ISR.</summary>
public sealed record LeaderElectionResult(LeaderAndIsr LeaderAndIsr, bool Unclean = false);

/// <summary>
/// Kafka's partition leader election rules (PartitionLeaderElectionAlgorithms, Election), pure. Every change of
/// leader or ISR bumps the leader epoch; the partition epoch (the state znode's version) is left to the conditional
/// write. The ISR never shrinks below one member: a partition whose ISR has no live member keeps that ISR with
/// leader -1 (offline) until a member returns, unless unclean election is enabled.
/// </summary>
public static class LeaderElection
{
    /// <summary>A new partition: the first live replica leads, every live replica is in the ISR, epoch 0. Null when none is live.</summary>
    public static LeaderAndIsr? ForNewPartition(IReadOnlyList<int> assignment, IReadOnlySet<int> liveBrokers)
    {
        var live = assignment.Where(liveBrokers.Contains).ToArray();
        return live.Length == 0 ? null : new LeaderAndIsr(live[0], 0, live);
    }

    /// <summary>
    /// A partition without a live leader: the first replica in assignment order that is live and in the ISR leads,
    /// and the ISR keeps its live members. Failing that, with <paramref name="uncleanLeaderElectionEnabled"/> the
    /// first live replica leads with ISR = [it] (recovering; data may be lost); otherwise the partition goes offline:
    /// leader -1, ISR kept. Null when there is nothing to write (already offline and still no candidate).
    /// </summary>
    public static LeaderElectionResult? ForOfflinePartition(
        IReadOnlyList<int> assignment, LeaderAndIsr current, IReadOnlySet<int> liveBrokers, bool uncleanLeaderElectionEnabled)
    {
        foreach (var replica in assignment)
        {
            if (liveBrokers.Contains(replica) && current.Isr.Contains(replica))
            {
                var isr = current.Isr.Where(liveBrokers.Contains).ToArray();
                return new(Elected(current, replica, isr, current.LeaderRecoveryState));
            }
        }
        if (uncleanLeaderElectionEnabled)
        {
            foreach (var replica in assignment)
            {
                if (liveBrokers.Contains(replica))
                {
                    return new(Elected(current, replica, [replica], LeaderRecoveryState.Recovering), Unclean: true);
                }
            }
        }
        return current.Leader == LeaderAndIsr.NoLeader
            ? null
            : new(Elected(current, LeaderAndIsr.NoLeader, current.Isr, current.LeaderRecoveryState));
    }

    /// <summary>
    /// Leadership moves off brokers that are shutting down: the first replica in assignment order that is live, in
    /// the ISR and not shutting down leads; the shutting-down brokers leave the ISR. Null when no replica qualifies
    /// (the leader stays until the broker is gone).
    /// </summary>
    public static LeaderAndIsr? ForControlledShutdown(
        IReadOnlyList<int> assignment, LeaderAndIsr current, IReadOnlySet<int> liveBrokers, IReadOnlySet<int> shuttingDownBrokers)
    {
        foreach (var replica in assignment)
        {
            if (liveBrokers.Contains(replica) && current.Isr.Contains(replica) && !shuttingDownBrokers.Contains(replica))
            {
                var isr = current.Isr.Where(r => !shuttingDownBrokers.Contains(r)).ToArray();
                return Elected(current, replica, isr, current.LeaderRecoveryState);
            }
        }
        return null;
    }

    /// <summary>The preferred (first assigned) replica takes over when live and in the ISR; null when it cannot or already leads.</summary>
    public static LeaderAndIsr? ForPreferredReplica(IReadOnlyList<int> assignment, LeaderAndIsr current, IReadOnlySet<int> liveBrokers)
    {
        if (assignment.Count == 0)
        {
            return null;
        }
        var preferred = assignment[0];
        return preferred == current.Leader || !liveBrokers.Contains(preferred) || !current.Isr.Contains(preferred)
            ? null
            : Elected(current, preferred, current.Isr, current.LeaderRecoveryState);
    }

    /// <summary>
    /// A replica's broker went offline: it leaves the ISR unless it is the last member, and when it led, the leader
    /// becomes -1 until an election. Null when the replica is neither leader nor in the ISR.
    /// </summary>
    public static LeaderAndIsr? RemoveReplicaFromIsr(LeaderAndIsr current, int replica)
    {
        if (!current.Isr.Contains(replica) && current.Leader != replica)
        {
            return null;
        }
        var leader = current.Leader == replica ? LeaderAndIsr.NoLeader : current.Leader;
        var isr = current.Isr.Count <= 1 ? current.Isr : current.Isr.Where(r => r != replica).ToArray();
        return Elected(current, leader, isr, current.LeaderRecoveryState);
    }

    private static LeaderAndIsr Elected(LeaderAndIsr current, int leader, IReadOnlyList<int> isr, LeaderRecoveryState recovery) =>
        current with { Leader = leader, LeaderEpoch = current.LeaderEpoch + 1, Isr = isr, LeaderRecoveryState = recovery };
}
