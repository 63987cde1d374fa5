using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>
/// What this broker knows of the cluster, read by every request handler: the live brokers, the
/// controller, topics and their partitions' leaders, epochs, replicas and ISR. Read-only to its
/// readers; single-node mode fills it from its own topic store, a cluster broker from the
/// controller's UpdateMetadata. Every topic is an immutable snapshot, replaced whole on change.
/// </summary>
public interface IMetadataCache
{
    string ClusterId { get; }

    int ControllerId { get; }

    /// <summary>The live brokers, by id.</summary>
    IReadOnlyList<BrokerEndpoint> Brokers { get; }

    IReadOnlyCollection<TopicMetadata> Topics { get; }

    TopicMetadata? FindTopic(string name);

    TopicMetadata? FindTopic(Uuid topicId);

    /// <summary>A live broker by id, or null.</summary>
    BrokerEndpoint? FindBroker(int brokerId);

    /// <summary>
    /// Completes once this broker has a view of the cluster worth serving to a client, or when it
    /// has waited as long as it will: at once on a single node; on a cluster broker at the
    /// controller's first UpdateMetadata. Metadata and DescribeCluster wait for it, because a
    /// client told of no brokers forgets every broker it knew (librdkafka drops the brokers a
    /// Metadata response leaves out).
    /// </summary>
    Task WhenReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
