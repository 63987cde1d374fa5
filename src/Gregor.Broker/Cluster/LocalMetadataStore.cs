using System.Collections.Concurrent;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>
/// Single-node metadata: this broker is the only broker and the controller. Topics are held in
/// concurrent maps; each <see cref="TopicMetadata"/> is immutable and replaced whole on change,
/// so readers never see a half-updated topic.
/// </summary>
public sealed class LocalMetadataStore(string clusterId, BrokerEndpoint self) : IMetadataStore
{
    private readonly ConcurrentDictionary<string, TopicMetadata> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uuid, TopicMetadata> _byId = new();

    public string ClusterId { get; } = clusterId;

    public int ControllerId => self.NodeId;

    public IReadOnlyList<BrokerEndpoint> Brokers { get; } = [self];

    public IReadOnlyCollection<TopicMetadata> Topics => (IReadOnlyCollection<TopicMetadata>)_byName.Values;

    public TopicMetadata? FindTopic(string name) => _byName.GetValueOrDefault(name);

    public TopicMetadata? FindTopic(Uuid topicId) => _byId.GetValueOrDefault(topicId);

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
