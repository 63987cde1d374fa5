namespace Gregor.Broker.Groups.Store;

/// <summary>
/// Where the group coordinator persists its state: the partitions of the __consumer_offsets topic
/// (a group's records all go to partition <see cref="GroupPartitioner.PartitionFor"/>).
/// The coordinator answers a commit or completes a rebalance only after
/// <see cref="AppendAsync"/> completed, so an implementation must complete it only once the
/// records are in the log (as acks=all would); throwing fails the request with
/// COORDINATOR_NOT_AVAILABLE. At start-up the coordinator replays every partition with
/// <see cref="ReadAsync"/> (records in log order; the last one per key wins) and answers
/// COORDINATOR_LOAD_IN_PROGRESS for the groups not yet loaded.
/// </summary>
public interface IGroupStore
{
    /// <summary>Appends the records, in order, to one partition of __consumer_offsets.</summary>
    ValueTask AppendAsync(int partition, IReadOnlyList<GroupStoreRecord> records, CancellationToken cancellationToken);

    /// <summary>Every record of the partition from its log start, in offset order, each with its
    /// offset. What cannot be decoded into records is left out (and logged by the store).</summary>
    IAsyncEnumerable<GroupStoreRecord> ReadAsync(int partition, CancellationToken cancellationToken);
}
