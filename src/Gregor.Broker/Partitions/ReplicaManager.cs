using System.Collections.Concurrent;
using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// The partitions this broker holds, by topic-partition, and the two changes the controller asks
/// of a broker (LeaderAndIsr, StopReplica): <see cref="BecomeLeader"/> and <see cref="StopReplica"/>.
/// Single-node topic administration goes through the same two. The map is concurrent; each
/// <see cref="Partition"/> guards its own state (its log has a per-partition lock).
/// </summary>
public sealed class ReplicaManager(LogManager logs)
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();

    public ICollection<Partition> Partitions => _partitions.Values;

    public Partition? GetPartition(string topic, int partition) =>
        _partitions.GetValueOrDefault(new TopicPartition(topic, partition));

    /// <summary>
    /// This broker leads <paramref name="topicPartition"/> from now on. Its log is created when
    /// missing (partition.metadata naming <paramref name="topicId"/>) and the topic's storage
    /// config becomes <paramref name="config"/>; a partition already held takes the new epoch,
    /// replicas and ISR unless <paramref name="leaderEpoch"/> is older than its own. Returns null
    /// when the partition's log could not be opened at start-up (its log dir failed): it has no
    /// leader until a restart opens it.
    /// </summary>
    public Partition? BecomeLeader(TopicPartition topicPartition, Uuid topicId, LogConfig config,
        int leaderEpoch, IReadOnlyList<int> replicas, IReadOnlyList<int> isr)
    {
        // Applying an unchanged config would walk every log of the broker once per partition.
        if (logs.ConfigFor(topicPartition.Topic) != config)
        {
            logs.UpdateTopicConfig(topicPartition.Topic, config);
        }
        if (logs.IsOffline(topicPartition))
        {
            return null;
        }
        if (_partitions.TryGetValue(topicPartition, out var held))
        {
            if (leaderEpoch >= held.LeaderEpoch)
            {
                held.MakeLeader(leaderEpoch, replicas, isr);
            }
            return held;
        }
        var log = logs.GetOrCreateLog(topicPartition, topicId);
        var partition = new Partition(topicPartition, topicId, log, new Partition.LeaderState(leaderEpoch, replicas, isr));
        partition.MaybeIncrementHighWatermark();
        return _partitions.GetOrAdd(topicPartition, partition);
    }

    /// <summary>
    /// This broker stops holding <paramref name="topicPartition"/>: fetches parked on it wake and
    /// see it gone; with <paramref name="deleteLog"/> its log directory goes too (also when the
    /// log was offline).
    /// </summary>
    public void StopReplica(TopicPartition topicPartition, bool deleteLog)
    {
        if (_partitions.TryRemove(topicPartition, out var removed))
        {
            removed.SignalDataArrived();
        }
        if (deleteLog)
        {
            logs.DeleteLog(topicPartition);
        }
    }
}
