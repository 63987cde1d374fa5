using Gregor.Broker.Config;
using Gregor.Protocol.Errors;
using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The cluster store in ZooKeeper mode, as Kafka's AdminZkClient: admin changes are written to
/// ZooKeeper in Kafka's format and the controller applies them (creates the partitions' states,
/// tells the brokers); so does anything else that writes those znodes, Kafka's own tools included.
/// Topics are read from this broker's metadata cache (what the controller has told it) with their
/// config overrides from <see cref="TopicConfigCache"/>. Creating topics or partitions returns
/// once the metadata cache shows every new partition with a leader, and deleting once the topic is
/// gone from it, as Kafka's delayed CreateTopics/DeleteTopics do; past the request's timeout_ms the
/// change stands and the answer is REQUEST_TIMED_OUT (timeout_ms ≤ 0: answered once written).
/// </summary>
public sealed class ZooKeeperTopicStore(
    ZooKeeperSession zookeeper,
    ClusterMetadataCache metadata,
    TopicConfigCache configs,
    Action<BrokerConfig> applyBrokerDefaults,
    ILogger<ZooKeeperTopicStore> logger) : IClusterStore
{
    /// <summary>Every topic, with the overrides read so far (used for names: no ZooKeeper read per topic).</summary>
    public IReadOnlyCollection<TopicRecord> Topics => metadata.Topics.Select(t => ToRecord(t, configs.Get(t.Name))).ToList();

    public TopicRecord? FindTopic(string name) => metadata.FindTopic(name) is { } topic ? ToRecord(topic, ConfigsOf(name)) : null;

    private static TopicRecord ToRecord(TopicMetadata topic, IReadOnlyDictionary<string, string> overrides) => new(
        topic.Name, topic.TopicId, topic.Partitions.Count,
        (short)(topic.Partitions.Count > 0 ? topic.Partitions[0].Replicas.Count : 0),
        overrides);

    /// <summary>
    /// The topic's overrides, read from ZooKeeper when this broker has not read them yet (it leads
    /// none of the topic's partitions and no change was notified since it started): an empty set
    /// there would make DescribeConfigs show defaults and IncrementalAlterConfigs drop the
    /// overrides it does not name. Only admin requests come here, so waiting for the read is fine.
    /// </summary>
    private IReadOnlyDictionary<string, string> ConfigsOf(string topic) =>
        configs.GetOrReadAsync(topic, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public async ValueTask<ErrorCode> CreateTopicAsync(TopicRecord topic, IReadOnlyList<IReadOnlyList<int>> assignment, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        var client = zookeeper.Client;
        // Config first, as Kafka does: the controller and brokers find it when the topic appears.
        await WriteEntityConfigAsync(client, topic.Name, topic.Configs, cancellationToken).ConfigureAwait(false);
        var data = TopicAssignmentZnode.Encode(new TopicAssignment(topic.TopicId,
            assignment.Select((replicas, p) => (p, replicas)).ToDictionary(x => x.p, x => new PartitionReplicas(x.replicas))));
        try
        {
            await client.CreateAsync(ZkPaths.Topic(topic.Name), data, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NodeExists)
        {
            return ErrorCode.TopicAlreadyExists;
        }
        logger.LogInformation("Created topic {Topic} with {Partitions} partitions and replication factor {Rf} in ZooKeeper", topic.Name, assignment.Count, topic.ReplicationFactor);
        return await WaitForAsync(() => HasLeaders(topic.Name, assignment.Count), applyTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ErrorCode> DeleteTopicAsync(string name, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        var client = zookeeper.Client;
        if (await client.ExistsAsync(ZkPaths.Topic(name), null, cancellationToken).ConfigureAwait(false) is null)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        try
        {
            await client.CreateAsync(ZkPaths.DeleteTopic(name), ReadOnlyMemory<byte>.Empty, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NodeExists)
        {
            // Already marked: the deletion is under way.
        }
        return await WaitForAsync(() => metadata.FindTopic(name) is null, applyTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ErrorCode> CreatePartitionsAsync(string name, int currentCount, IReadOnlyList<IReadOnlyList<int>> newAssignment, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        var client = zookeeper.Client;
        var path = ZkPaths.Topic(name);
        byte[] data;
        ZkStat stat;
        try
        {
            (data, stat) = await client.GetDataAsync(path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        var current = TopicAssignmentZnode.Decode(data);
        if (!current.IsValid)
        {
            logger.LogError("Malformed znode {Path}: {Error}", path, current.Error);
            return ErrorCode.UnknownServerError;
        }
        if (current.Value!.Partitions.Count != currentCount)
        {
            return ErrorCode.InvalidPartitions;
        }
        var partitions = new Dictionary<int, PartitionReplicas>(current.Value.Partitions);
        for (var i = 0; i < newAssignment.Count; i++)
        {
            partitions[currentCount + i] = new PartitionReplicas(newAssignment[i]);
        }
        try
        {
            await client.SetDataAsync(path, TopicAssignmentZnode.Encode(current.Value with { Partitions = partitions }), stat.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code is ZkErrorCode.BadVersion or ZkErrorCode.NoNode)
        {
            return e.Code == ZkErrorCode.NoNode ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidPartitions;
        }
        logger.LogInformation("Topic {Topic}: {Count} partitions added in ZooKeeper", name, newAssignment.Count);
        return await WaitForAsync(() => HasLeaders(name, currentCount + newAssignment.Count), applyTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ErrorCode> SetTopicConfigsAsync(string name, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        var client = zookeeper.Client;
        if (await client.ExistsAsync(ZkPaths.Topic(name), null, cancellationToken).ConfigureAwait(false) is null)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        await WriteEntityConfigAsync(client, name, overrides, cancellationToken).ConfigureAwait(false);
        // The notification makes every broker (this one too) re-read the topic's config.
        await client.CreateAsync(ZkPaths.ConfigChangePrefix, ConfigChangeZnode.Encode(new ConfigEntity(ConfigTypes.Topics, name)), CreateMode.PersistentSequential, cancellationToken).ConfigureAwait(false);
        configs.Set(name, overrides);
        return ErrorCode.None;
    }

    public void ApplyBrokerDefaults(BrokerConfig broker) => applyBrokerDefaults(broker);

    private static async Task WriteEntityConfigAsync(ZooKeeperClient client, string topic, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        var path = ZkPaths.ConfigEntity(ConfigTypes.Topics, topic);
        var data = EntityConfigZnode.Encode(overrides);
        try
        {
            await client.SetDataAsync(path, data, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            await client.CreateAsync(path, data, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool HasLeaders(string topic, int partitions) =>
        metadata.FindTopic(topic) is { } t && t.Partitions.Count >= partitions && t.Partitions.All(p => p.Leader >= 0);

    // Zero: the change is written and not waited for (Kafka's timeout_ms <= 0).
    private async ValueTask<ErrorCode> WaitForAsync(Func<bool> done, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return ErrorCode.None;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!done())
        {
            var changed = metadata.Changed;
            if (done())
            {
                break;
            }
            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return ErrorCode.RequestTimedOut;
            }
        }
        return ErrorCode.None;
    }
}
