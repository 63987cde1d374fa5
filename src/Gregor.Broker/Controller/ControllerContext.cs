using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Storage;

namespace Gregor.Broker.Controller;

/// <summary>
/// What the active controller knows of the cluster, read from ZooKeeper on failover and kept up
/// to date by its events. Only the controller's event loop touches it (one event at a time), so
/// it takes no locks.
/// </summary>
public sealed class ControllerContext
{
    public Dictionary<int, LiveBroker> LiveBrokers { get; } = [];

    /// <summary>Brokers in controlled shutdown: alive, but no longer eligible as leaders.</summary>
    public HashSet<int> ShuttingDown { get; } = [];

    public Dictionary<string, ControlledTopic> Topics { get; } = new(StringComparer.Ordinal);

    public Dictionary<TopicPartition, PartitionStateInfo> States { get; } = [];

    /// <summary>Topics marked for deletion whose deletion has begun.</summary>
    public HashSet<string> TopicsToDelete { get; } = new(StringComparer.Ordinal);

    public bool IsLive(int brokerId) => LiveBrokers.ContainsKey(brokerId);

    /// <summary>The brokers that may lead: alive and not shutting down.</summary>
    public IReadOnlySet<int> EligibleBrokers => LiveBrokers.Keys.Where(id => !ShuttingDown.Contains(id)).ToHashSet();

    /// <summary>Live and not shutting down: may lead.</summary>
    public bool IsEligible(int brokerId) => LiveBrokers.ContainsKey(brokerId) && !ShuttingDown.Contains(brokerId);

    public IEnumerable<TopicPartition> AllPartitions =>
        Topics.Values.SelectMany(t => t.Partitions.Keys.Select(p => new TopicPartition(t.Name, p)));

    public IEnumerable<TopicPartition> PartitionsOf(string topic) =>
        Topics.TryGetValue(topic, out var t) ? t.Partitions.Keys.Select(p => new TopicPartition(topic, p)) : [];

    public IReadOnlyList<int> ReplicasOf(TopicPartition partition) =>
        Topics.TryGetValue(partition.Topic, out var t) && t.Partitions.TryGetValue(partition.Partition, out var replicas) ? replicas : [];

    /// <summary>Partitions with a replica on <paramref name="brokerId"/>.</summary>
    public IEnumerable<TopicPartition> PartitionsOn(int brokerId) =>
        Topics.Values.SelectMany(t => t.Partitions.Where(p => p.Value.Contains(brokerId)).Select(p => new TopicPartition(t.Name, p.Key)));

    public void Clear()
    {
        LiveBrokers.Clear();
        ShuttingDown.Clear();
        Topics.Clear();
        States.Clear();
        TopicsToDelete.Clear();
    }
}
