using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Storage;

namespace Gregor.Broker.Controller;

/// <summary>
/// What the controller reads from and writes to the cluster's durable state (ZooKeeper). Watches
/// are one-shot: a callback runs once after the watched thing changes, and the controller re-reads
/// (and so re-arms) in the event it queues. Every write takes the controller's term and is fenced by
/// it: a write made after another broker became controller throws <see cref="ControllerMovedException"/>.
/// </summary>
public interface IControllerStore
{
    /// <summary>The current controller's id, or null when there is none; <paramref name="onChange"/> runs when /controller is created, changed or deleted.</summary>
    Task<int?> GetControllerIdAsync(Action onChange, CancellationToken cancellationToken);

    /// <summary>Tries to become controller; null when another broker got there first.</summary>
    Task<ControllerEpoch?> TryElectAsync(int brokerId, CancellationToken cancellationToken);

    /// <summary>Deletes /controller, fenced by the term (resigning on shutdown, so another broker takes over at once).</summary>
    Task ResignAsync(ControllerEpoch term, CancellationToken cancellationToken);

    /// <summary>Registered brokers; <paramref name="onChange"/> runs when /brokers/ids' children change.</summary>
    Task<IReadOnlyList<LiveBroker>> GetBrokersAsync(Action onChange, CancellationToken cancellationToken);

    /// <summary>Topic names under /brokers/topics; <paramref name="onChange"/> runs when they change.</summary>
    Task<IReadOnlyList<string>> GetTopicNamesAsync(Action onChange, CancellationToken cancellationToken);

    /// <summary>
    /// The assignments of <paramref name="topics"/>, read in one batch; a topic whose znode is gone
    /// or malformed is left out (and logged by the store). <paramref name="onChange"/> runs with a
    /// topic's name when its assignment changes (partitions added).
    /// </summary>
    Task<IReadOnlyList<ControlledTopic>> GetTopicsAsync(IReadOnlyCollection<string> topics, Action<string> onChange, CancellationToken cancellationToken);

    /// <summary>Partition states read in one batch; partitions without a state znode are left out.</summary>
    Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> GetPartitionStatesAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the state znodes of new partitions; gives the states as stored (with their partition
    /// epoch). A partition whose state already exists is left out of the answer.
    /// </summary>
    Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> CreatePartitionStatesAsync(ControllerEpoch term, IReadOnlyDictionary<TopicPartition, PartitionStateInfo> states, CancellationToken cancellationToken);

    /// <summary>
    /// Updates partition states conditionally on their partition epoch (the value in each state);
    /// gives the stored states (new partition epoch) of those written; a partition whose znode had
    /// changed meanwhile is left out.
    /// </summary>
    Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> UpdatePartitionStatesAsync(ControllerEpoch term, IReadOnlyDictionary<TopicPartition, PartitionStateInfo> states, CancellationToken cancellationToken);

    /// <summary>Topics marked for deletion (/admin/delete_topics); <paramref name="onChange"/> runs when that changes.</summary>
    Task<IReadOnlyList<string>> GetTopicDeletionsAsync(Action onChange, CancellationToken cancellationToken);

    /// <summary>Removes a deleted topic's znodes: its assignment and states, its config, its deletion marker.</summary>
    Task DeleteTopicAsync(ControllerEpoch term, string topic, CancellationToken cancellationToken);

    /// <summary>Removes a deletion marker for a topic that does not exist.</summary>
    Task DeleteTopicDeletionMarkerAsync(ControllerEpoch term, string topic, CancellationToken cancellationToken);
}
