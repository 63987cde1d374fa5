using System.Collections.Concurrent;
using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// The partitions this broker holds, by topic-partition, as leader or follower, and the changes
/// the controller asks of a broker (LeaderAndIsr, StopReplica): <see cref="BecomeLeader"/>,
/// <see cref="BecomeFollower"/> and <see cref="StopReplica"/>. Single-node topic administration
/// goes through the same. The map is concurrent; each <see cref="Partition"/> guards its own state
/// (its log has a per-partition lock).
/// </summary>
public sealed class ReplicaManager(LogManager logs, int localBrokerId)
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();

    /// <summary>The id of this broker.</summary>
    public int LocalBrokerId => localBrokerId;

    /// <summary>Every partition held here, led or followed.</summary>
    public ICollection<Partition> Partitions => _partitions.Values;

    /// <summary>
    /// The partition if this broker leads it (what clients' requests and the coordinators may use);
    /// null when it is not held here or only followed.
    /// </summary>
    public Partition? GetPartition(string topic, int partition) =>
        _partitions.GetValueOrDefault(new TopicPartition(topic, partition)) is { IsLeader: true } led ? led : null;

    /// <summary>The partition if this broker holds a replica of it, leader or follower.</summary>
    public Partition? GetReplica(TopicPartition topicPartition) => _partitions.GetValueOrDefault(topicPartition);

    /// <summary>
    /// This broker leads <paramref name="topicPartition"/> from now on. Its log is created when
    /// missing (partition.metadata naming <paramref name="topicId"/>) and the topic's storage
    /// config becomes <paramref name="config"/>; a partition already held takes the new epoch,
    /// replicas and ISR unless <paramref name="leaderEpoch"/> is older than its own. Returns null
    /// when the partition's log could not be opened at start-up (its log dir failed): it has no
    /// leader until a restart opens it.
    /// </summary>
    public Partition? BecomeLeader(TopicPartition topicPartition, Uuid topicId, LogConfig config,
        int leaderEpoch, IReadOnlyList<int> replicas, IReadOnlyList<int> isr, int partitionEpoch = 0)
    {
        if (GetOrCreate(topicPartition, topicId, config, new Partition.LeaderState(localBrokerId, leaderEpoch, partitionEpoch, replicas, isr)) is not { } found)
        {
            return null;
        }
        var (partition, created) = found;
        if (created)
        {
            partition.MaybeIncrementHighWatermark();
        }
        else if (leaderEpoch >= partition.LeaderEpoch)
        {
            partition.MakeLeader(leaderEpoch, partitionEpoch, replicas, isr);
        }
        return partition;
    }

    /// <summary>
    /// This broker follows <paramref name="leader"/> for <paramref name="topicPartition"/> from now
    /// on; the log is created when missing, as for <see cref="BecomeLeader"/>. LeaderChanged is true
    /// when the partition is new here or its leader or leader epoch changed (the replica fetcher
    /// then starts again from the log end). A request whose leader epoch is older than the one
    /// held changes nothing. Null when the partition's log dir failed.
    /// </summary>
    public (Partition Partition, bool LeaderChanged)? BecomeFollower(TopicPartition topicPartition, Uuid topicId, LogConfig config,
        int leader, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> replicas, IReadOnlyList<int> isr)
    {
        if (GetOrCreate(topicPartition, topicId, config, new Partition.LeaderState(leader, leaderEpoch, partitionEpoch, replicas, isr)) is not { } found)
        {
            return null;
        }
        var (partition, created) = found;
        if (created)
        {
            return (partition, true);
        }
        return leaderEpoch >= partition.LeaderEpoch
            ? (partition, partition.MakeFollower(leader, leaderEpoch, partitionEpoch, replicas, isr))
            : (partition, false);
    }

    private (Partition Partition, bool Created)? GetOrCreate(TopicPartition topicPartition, Uuid topicId, LogConfig config, Partition.LeaderState leadership)
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
            return (held, false);
        }
        var log = logs.GetOrCreateLog(topicPartition, topicId);
        var partition = new Partition(topicPartition, topicId, log, localBrokerId, leadership);
        var added = _partitions.GetOrAdd(topicPartition, partition);
        return (added, ReferenceEquals(added, partition));
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
