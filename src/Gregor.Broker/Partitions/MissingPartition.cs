using Gregor.Broker.Cluster;
using Gregor.Protocol.Errors;

namespace Gregor.Broker.Partitions;

/// <summary>
/// The error for a request naming a partition this broker does not serve, as Kafka's
/// ReplicaManager answers: NOT_LEADER_OR_FOLLOWER when the cluster has the partition (another
/// broker leads it; the client refreshes its metadata and retries there), else
/// UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
public static class MissingPartition
{
    public static ErrorCode ErrorFor(IMetadataCache metadata, string topic, int partition) =>
        metadata.FindTopic(topic) is { } known && known.Partitions.Any(p => p.Partition == partition)
            ? ErrorCode.NotLeaderOrFollower
            : ErrorCode.UnknownTopicOrPartition;
}
