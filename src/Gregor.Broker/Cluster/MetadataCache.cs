using System.Collections.Concurrent;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>
/// The metadata cache as a broker keeps it. Topics are held in concurrent maps; each
/// <see cref="TopicMetadata"/> is immutable and replaced whole by its writer (the topic store on a
/// single node), so readers never see a half-updated topic. On a single node this broker is the
/// only broker and the controller.
/// </summary>
public sealed class MetadataCache(string clusterId, BrokerEndpoint self) : IMetadataCache
{
    private readonly ConcurrentDictionary<string, TopicMetadata> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uuid, TopicMetadata> _byId = new();

    public string ClusterId { get; } = clusterId;

    public int ControllerId => self.NodeId;

    public IReadOnlyList<BrokerEndpoint> Brokers { get; } = [self];

    public IReadOnlyCollection<TopicMetadata> Topics => (IReadOnlyCollection<TopicMetadata>)_byName.Values;

    public TopicMetadata? FindTopic(string name) => _byName.GetValueOrDefault(name);

    public TopicMetadata? FindTopic(Uuid topicId) => _byId.GetValueOrDefault(topicId);

    public BrokerEndpoint? FindBroker(int brokerId) => brokerId == self.NodeId ? self : null;

    /// <summary>Adds or replaces a topic.</summary>
    public void PutTopic(TopicMetadata topic)
    {
        _byName[topic.Name] = topic;
        _byId[topic.TopicId] = topic;
    }

    public bool RemoveTopic(string name)
    {
        if (!_byName.TryRemove(name, out var topic))
        {
            return false;
        }
        _byId.TryRemove(topic.TopicId, out _);
        return true;
    }
}
