using Gregor.Protocol.Errors;
using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// An ISR change a leader proposes to the controller (AlterPartition): the ISR it wants, named
/// with the leader epoch and partition epoch it holds. A partition has at most one in flight; it
/// is known by reference, so an answer to a proposal the partition has since dropped is ignored.
/// <see cref="Reason"/> says why, for the log.
/// </summary>
public sealed record IsrChange(TopicPartition TopicPartition, Uuid TopicId, int LeaderEpoch, int PartitionEpoch, IReadOnlyList<int> NewIsr, string Reason);

/// <summary>The controller's answer to one <see cref="IsrChange"/>: an error, or the partition's state as now stored.</summary>
public readonly record struct IsrChangeResult(ErrorCode Error, int LeaderId, int LeaderEpoch, IReadOnlyList<int> Isr, int PartitionEpoch)
{
    public static IsrChangeResult Failed(ErrorCode error) => new(error, -1, -1, [], -1);
}

/// <summary>
/// Where a leader sends its ISR changes (the AlterPartition sender). <see cref="Submit"/> returns
/// false when a change of the partition is already on its way to the controller; the sender later
/// calls <see cref="Partition.CompleteIsrChange"/> with the answer.
/// </summary>
public interface IIsrChangeSender
{
    bool Submit(Partition partition, IsrChange change);
}
