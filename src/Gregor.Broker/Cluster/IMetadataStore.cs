using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>
/// The cluster's metadata: brokers, the controller, topics and their partitions and configs.
/// Single-node mode keeps it locally; a ZooKeeper-backed implementation will slot in behind
/// the same interface without touching the handlers.
/// </summary>
public interface IMetadataStore
{
    string ClusterId { get; }

    int ControllerId { get; }

    IReadOnlyList<BrokerEndpoint> Brokers { get; }

    IReadOnlyCollection<TopicMetadata> Topics { get; }

    TopicMetadata? FindTopic(string name);

    TopicMetadata? FindTopic(Uuid topicId);
}
