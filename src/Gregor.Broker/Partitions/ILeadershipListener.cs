using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// Hears when this broker starts or stops leading a partition (the controller's LeaderAndIsr and
/// StopReplica): the coordinators load and unload the state kept in their internal topic's
/// partitions. Calls come on the request's thread and must not block.
/// </summary>
public interface ILeadershipListener
{
    void OnBecameLeader(TopicPartition partition, int leaderEpoch);

    /// <summary><paramref name="leaderEpoch"/> is null when the controller did not say (deletion).</summary>
    void OnResigned(TopicPartition partition, int? leaderEpoch);
}
