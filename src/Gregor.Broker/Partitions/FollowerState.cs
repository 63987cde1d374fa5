namespace Gregor.Broker.Partitions;

/// <summary>
/// What a leader knows of one follower of a partition (Kafka's replica state): its log end offset
/// (the offset of its last fetch), its log start, when it last fetched and the leader's log end
/// then, and when it was last caught up (its log end reached the leader's). Offsets not known yet
/// are -1. Owned by its <see cref="Partition"/> and read and changed only under its leader lock.
/// </summary>
internal sealed class FollowerState(int brokerId)
{
    public int BrokerId { get; } = brokerId;

    public long LogEndOffset { get; private set; } = -1;

    public long LogStartOffset { get; private set; } = -1;

    public long LastFetchLeaderLogEndOffset { get; private set; } = -1;

    public long LastFetchTimeMs { get; private set; }

    public long LastCaughtUpTimeMs { get; private set; }

    /// <summary>
    /// A fetch at <paramref name="fetchOffset"/> at <paramref name="fetchTimeMs"/>, when the leader's
    /// log ended at <paramref name="leaderEndOffset"/>. The follower is caught up now if it fetched
    /// from the leader's log end, and was caught up at its previous fetch if it now fetches from
    /// where the leader's log ended then.
    /// </summary>
    public void UpdateFetchState(long fetchOffset, long logStartOffset, long fetchTimeMs, long leaderEndOffset)
    {
        if (fetchOffset >= leaderEndOffset)
        {
            LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, fetchTimeMs);
        }
        else if (fetchOffset >= LastFetchLeaderLogEndOffset)
        {
            LastCaughtUpTimeMs = Math.Max(LastCaughtUpTimeMs, LastFetchTimeMs);
        }
        LogStartOffset = logStartOffset;
        LogEndOffset = fetchOffset;
        LastFetchLeaderLogEndOffset = leaderEndOffset;
        LastFetchTimeMs = fetchTimeMs;
    }

    /// <summary>In sync: at the leader's log end, or caught up within the last <paramref name="maxLagMs"/>.</summary>
    public bool IsCaughtUp(long leaderEndOffset, long nowMs, long maxLagMs) =>
        LogEndOffset == leaderEndOffset || nowMs - LastCaughtUpTimeMs <= maxLagMs;

    /// <summary>
    /// A leadership change: a follower in the ISR gets a full lag period from now, one outside
    /// none (it must not hold the high watermark back). Under a new leader everything it knew of
    /// the follower is forgotten until its next fetch; the same leader in a new epoch keeps the
    /// offsets.
    /// </summary>
    public void Reset(long nowMs, long leaderEndOffset, bool newLeader, bool inSync)
    {
        LastCaughtUpTimeMs = inSync ? nowMs : 0;
        if (newLeader)
        {
            LogEndOffset = -1;
            LogStartOffset = -1;
            LastFetchLeaderLogEndOffset = -1;
            LastFetchTimeMs = 0;
        }
        else
        {
            LastFetchLeaderLogEndOffset = leaderEndOffset;
            LastFetchTimeMs = inSync ? nowMs : 0;
        }
    }
}
