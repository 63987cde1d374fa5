namespace Gregor.Broker.Controller;

/// <summary>
/// Kafka's leader election rules (its Election and PartitionLeaderElectionAlgorithms): a leader is
/// the first replica, in assignment order, that is eligible (alive, not shutting down) and in the
/// ISR; with unclean election allowed and no such replica, the first eligible replica, alone in the
/// ISR. No candidate: no leader. The ISR never shrinks to nothing.
/// </summary>
public static class LeaderElection
{
    /// <summary>A new partition: its eligible replicas form the ISR, the first leads; null when none is eligible.</summary>
    public static (int Leader, IReadOnlyList<int> Isr)? ForNewPartition(IReadOnlyList<int> replicas, Func<int, bool> eligible)
    {
        var live = replicas.Where(eligible).ToList();
        return live.Count == 0 ? null : (live[0], live);
    }

    /// <summary>
    /// A partition whose leader is gone or leaving: the new leader and ISR (the ISR's eligible
    /// members), or null when there is no candidate.
    /// </summary>
    public static (int Leader, IReadOnlyList<int> Isr, bool Unclean)? ForOfflinePartition(IReadOnlyList<int> replicas, IReadOnlyList<int> isr, Func<int, bool> eligible, bool uncleanAllowed)
    {
        var leader = replicas.Where(r => isr.Contains(r) && eligible(r)).Cast<int?>().FirstOrDefault();
        if (leader is { } l)
        {
            return (l, isr.Where(eligible).ToList(), false);
        }
        if (uncleanAllowed && replicas.Where(eligible).Cast<int?>().FirstOrDefault() is { } unclean)
        {
            return (unclean, [unclean], true);
        }
        return null;
    }

    /// <summary>
    /// The ISR without <paramref name="gone"/>, never empty: a sole member stays, since it is the
    /// only replica known to hold every acknowledged record.
    /// </summary>
    public static IReadOnlyList<int> IsrWithout(IReadOnlyList<int> isr, int gone) =>
        isr.Count == 1 ? isr : isr.Where(r => r != gone).ToList();
}
