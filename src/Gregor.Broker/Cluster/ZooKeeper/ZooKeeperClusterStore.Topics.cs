using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>A topic's assignment as read, with the node's zk version for a conditional update.</summary>
public sealed record StoredTopicAssignment(string Topic, TopicAssignment Assignment, int ZkVersion);

public sealed partial class ZooKeeperClusterStore
{
    /// <summary>The topics under /brokers/topics, arming <paramref name="watcher"/> on the list.</summary>
    public Task<IReadOnlyList<string>> GetTopicNamesAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        GetChildrenOrEmptyAsync(ZkPaths.BrokerTopics, watcher, cancellationToken);

    /// <summary>The assignments of <paramref name="topics"/>, read at once. Missing topics are left out; malformed ones are logged and left out.</summary>
    public async Task<IReadOnlyDictionary<string, StoredTopicAssignment>> GetTopicAssignmentsAsync(
        IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        var nodes = await GetDataBatchAsync(topics.Select(ZkPaths.Topic), cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, StoredTopicAssignment>(nodes.Count, StringComparer.Ordinal);
        foreach (var (path, data, stat) in nodes)
        {
            var parsed = TopicAssignmentZnode.Decode(data);
            if (!parsed.IsValid)
            {
                LogMalformed(path, parsed.Error);
                continue;
            }
            var topic = path[(ZkPaths.BrokerTopics.Length + 1)..];
            result[topic] = new StoredTopicAssignment(topic, parsed.Value!, stat.Version);
        }
        return result;
    }

    /// <summary>
    /// Creates a topic as Kafka's admin path does: its config node (/config/topics/&lt;t&gt;, replaced when a stale one
    /// is left) and its assignment node, in one multi. False when the topic already exists.
    /// </summary>
    public async Task<bool> CreateTopicAsync(string topic, TopicAssignment assignment, IReadOnlyDictionary<string, string> config,
        CancellationToken cancellationToken = default)
    {
        var configPath = ZkPaths.ConfigEntity(ConfigTypes.Topics, topic);
        var configData = EntityConfigZnode.Encode(config);
        var assignmentOp = ZkOp.Create(ZkPaths.Topic(topic), TopicAssignmentZnode.Encode(assignment));
        var results = await zk.MultiAsync([ZkOp.Create(configPath, configData), assignmentOp], cancellationToken).ConfigureAwait(false);
        var (error, index) = FirstError(results);
        if (error == ZkErrorCode.NodeExists && index == 0)
        {
            results = await zk.MultiAsync([ZkOp.SetData(configPath, configData), assignmentOp], cancellationToken).ConfigureAwait(false);
            (error, index) = FirstError(results);
        }
        switch (error)
        {
            case ZkErrorCode.Ok:
                logger.LogInformation("Created topic {Topic} with {Partitions} partitions, topic id {TopicId}",
                    topic, assignment.Partitions.Count, assignment.TopicId);
                return true;
            case ZkErrorCode.NodeExists when index == 1:
                return false;
            default:
                throw new ZooKeeperException(error, index == 0 ? configPath : ZkPaths.Topic(topic));
        }
    }

    /// <summary>
    /// Replaces a topic's assignment (new partitions, reassignment) if the node is still at <paramref name="expectedZkVersion"/>.
    /// Returns the new zk version, or null when someone changed it in between (re-read and retry).
    /// </summary>
    public async Task<int?> SetTopicAssignmentAsync(string topic, TopicAssignment assignment, int expectedZkVersion,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var stat = await zk.SetDataAsync(ZkPaths.Topic(topic), TopicAssignmentZnode.Encode(assignment), expectedZkVersion, cancellationToken)
                .ConfigureAwait(false);
            return stat.Version;
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.BadVersion)
        {
            return null;
        }
    }

    /// <summary>
    /// Adds partitions to an existing topic: the new assignment must keep every existing partition's replicas. False
    /// when the topic is gone or changed concurrently.
    /// </summary>
    public async Task<bool> AddPartitionsAsync(string topic, IReadOnlyDictionary<int, IReadOnlyList<int>> newPartitions,
        CancellationToken cancellationToken = default)
    {
        var current = (await GetTopicAssignmentsAsync([topic], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(topic);
        if (current is null)
        {
            return false;
        }
        var partitions = new Dictionary<int, PartitionReplicas>(current.Assignment.Partitions);
        foreach (var (partition, replicas) in newPartitions)
        {
            if (!partitions.TryAdd(partition, new PartitionReplicas(replicas)))
            {
                throw new ArgumentException($"Partition {partition} of {topic} already exists", nameof(newPartitions));
            }
        }
        var updated = current.Assignment with { Partitions = partitions };
        return await SetTopicAssignmentAsync(topic, updated, current.ZkVersion, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Marks a topic for deletion (/admin/delete_topics/&lt;t&gt;, empty) for the controller to carry out.</summary>
    public async Task MarkTopicForDeletionAsync(string topic, CancellationToken cancellationToken = default)
    {
        try
        {
            await zk.CreateAsync(ZkPaths.DeleteTopic(topic), ReadOnlyMemory<byte>.Empty, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NodeExists)
        {
        }
    }

    /// <summary>The topics marked for deletion, arming <paramref name="watcher"/> on the list.</summary>
    public Task<IReadOnlyList<string>> GetTopicsMarkedForDeletionAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        GetChildrenOrEmptyAsync(ZkPaths.DeleteTopics, watcher, cancellationToken);

    /// <summary>
    /// The controller's last step of a deletion, as Kafka orders it: the topic's tree under /brokers/topics (states,
    /// then partitions, then the topic node), its config, then its deletion marker. Every delete is fenced.
    /// </summary>
    public async Task DeleteTopicAsync(ControllerEpoch fence, string topic, CancellationToken cancellationToken = default)
    {
        var partitionsPath = ZkPaths.TopicPartitions(topic);
        var partitions = await GetChildrenOrEmptyAsync(partitionsPath, null, cancellationToken).ConfigureAwait(false);
        await FencedDeleteAllAsync(fence, partitions.Select(p => $"{partitionsPath}/{p}/state"), cancellationToken).ConfigureAwait(false);
        await FencedDeleteAllAsync(fence, partitions.Select(p => $"{partitionsPath}/{p}"), cancellationToken).ConfigureAwait(false);
        await FencedDeleteAllAsync(fence, [partitionsPath], cancellationToken).ConfigureAwait(false);
        await FencedDeleteAllAsync(fence, [ZkPaths.Topic(topic)], cancellationToken).ConfigureAwait(false);
        await FencedDeleteAllAsync(fence, [ZkPaths.ConfigEntity(ConfigTypes.Topics, topic)], cancellationToken).ConfigureAwait(false);
        await FencedDeleteAllAsync(fence, [ZkPaths.DeleteTopic(topic)], cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Deleted topic {Topic} from ZooKeeper", topic);
    }

    // One fenced delete per path, all at once; nodes already gone are fine.
    private async Task FencedDeleteAllAsync(ControllerEpoch fence, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        await Task.WhenAll(paths.Select(async path =>
        {
            var results = await FencedMultiAsync(fence, [ZkOp.Delete(path)], cancellationToken).ConfigureAwait(false);
            if (results[0].Error is not (ZkErrorCode.Ok or ZkErrorCode.NoNode))
            {
                throw new ZooKeeperException(results[0].Error, path);
            }
        })).ConfigureAwait(false);
    }
}
