using Gregor.Broker.Partitions;

namespace Gregor.Broker.Replication;

/// <summary>
/// One partition a fetcher replicates: the follower replica, the leader epoch the controller
/// stated with its leader (sent as CurrentLeaderEpoch, so the leader fences a stale follower),
/// and until when it rests after an error. The fetch offset is not kept: it is always the
/// replica's log end offset, so after a truncation the next fetch continues from the new end.
/// Replaced whole when the leader epoch changes; <see cref="DelayedUntil"/> is touched only by
/// the fetcher's loop.
/// </summary>
public sealed class PartitionFetchState(Partition partition, int currentLeaderEpoch)
{
    public Partition Partition { get; } = partition;

    public int CurrentLeaderEpoch { get; } = currentLeaderEpoch;

    /// <summary>The partition is left out of fetches until this time (after an error).</summary>
    public DateTimeOffset DelayedUntil { get; set; } = DateTimeOffset.MinValue;
}
