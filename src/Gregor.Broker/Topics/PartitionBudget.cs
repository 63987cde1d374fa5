using Gregor.Storage;

namespace Gregor.Broker.Topics;

/// <summary>
/// How many partitions may still be created: no more than <see cref="MaxPartitionsPerRequest"/>
/// in one request (Kafka's controller refuses larger batches with POLICY_VIOLATION), and no more
/// than the file descriptors the logs may still open allow (<see cref="LogManager.FreeDescriptors"/>,
/// <see cref="StorageDescriptors.PerNewPartition"/> each). A refusal is POLICY_VIOLATION with a
/// message naming the limit, given before anything is created: running out of descriptors
/// part-way would fail the request half done and leave the process unable to open anything else.
/// Stateless; the caller serialises checks with the creations they guard.
/// </summary>
public sealed class PartitionBudget(LogManager logs)
{
    public const int MaxPartitionsPerRequest = 10_000;

    /// <summary>Null when one request may create <paramref name="partitions"/> partitions; else why not.</summary>
    public string? RefusalForRequest(long partitions) =>
        partitions > MaxPartitionsPerRequest
            ? $"Unable to create {partitions} partitions in one request: the limit is {MaxPartitionsPerRequest}."
            : Refusal(partitions);

    /// <summary>Null when <paramref name="partitions"/> new partitions fit in the descriptors left; else why not.</summary>
    public string? Refusal(long partitions)
    {
        var needed = partitions * StorageDescriptors.PerNewPartition;
        var free = logs.FreeDescriptors;
        return needed <= free
            ? null
            : $"Unable to create {partitions} partitions: they need {needed} file descriptors and only {free} of the {logs.MaxOpenDescriptors} "
              + "that partition logs may hold under this broker's open-files limit are left. Raise the limit (ulimit -n, LimitNOFILE) or create fewer partitions.";
    }
}
