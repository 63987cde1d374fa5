using System.Collections.Concurrent;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// The partitions this broker leads, by topic-partition. The map is concurrent; each
/// <see cref="Partition"/> guards its own state (its log has a per-partition lock).
/// </summary>
public sealed class ReplicaManager
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();

    public ICollection<Partition> Partitions => _partitions.Values;

    public Partition? GetPartition(string topic, int partition) =>
        _partitions.GetValueOrDefault(new TopicPartition(topic, partition));

    public void Add(Partition partition) => _partitions[partition.TopicPartition] = partition;

    /// <summary>Forgets a partition and wakes fetches parked on it (they then see it gone).</summary>
    public void Remove(TopicPartition topicPartition)
    {
        if (_partitions.TryRemove(topicPartition, out var removed))
        {
            removed.SignalDataArrived();
        }
    }
}
