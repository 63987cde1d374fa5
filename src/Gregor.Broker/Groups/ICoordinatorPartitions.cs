namespace Gregor.Broker.Groups;

/// <summary>
/// How the partition layer tells a coordinator which partitions of its internal topic this broker
/// leads (Kafka's onElection/onResignation, driven by LeaderAndIsr and StopReplica). The epoch is
/// the partition's leader epoch: an election or resignation older than the newest one seen for
/// that partition is ignored, so a late, reordered notification cannot undo a newer one. Calls for
/// one partition come in the order leadership changed.
/// </summary>
public interface ICoordinatorPartitions
{
    /// <summary>This broker now leads <paramref name="partition"/>: its state is loaded in the
    /// background; meanwhile its keys answer COORDINATOR_LOAD_IN_PROGRESS.</summary>
    void OnElection(int partition, int coordinatorEpoch);

    /// <summary>This broker no longer leads <paramref name="partition"/>: its state is dropped at
    /// once (its keys answer NOT_COORDINATOR from the return on). A null epoch always applies. The
    /// task completes once no write for the partition is still in flight: after it, nothing more
    /// is appended to the partition on this coordinator's behalf.</summary>
    Task OnResignation(int partition, int? coordinatorEpoch);
}
