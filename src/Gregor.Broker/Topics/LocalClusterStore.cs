using Gregor.Broker.Cluster;
using Gregor.Broker.Config;
using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Topics;

/// <summary>
/// The single-node cluster store: the topic records persisted in <see cref="TopicMetadataFile"/>,
/// and every change applied at once on this broker, the only one: it leads every partition
/// (through <see cref="ReplicaManager.BecomeLeader"/>, which creates missing logs, and
/// <see cref="ReplicaManager.StopReplica"/>) and publishes each topic to the
/// <see cref="MetadataCache"/>. Every change runs under <see cref="_lock"/>, which also guards
/// <see cref="_topics"/>; readers use the metadata cache and the replica manager, which publish
/// immutable snapshots. Each operation completes before it returns.
/// </summary>
public sealed class LocalClusterStore : IClusterStore
{
    // The effective broker config (static plus dynamic defaults); replaced under _lock by ApplyBrokerDefaults.
    private BrokerConfig _broker;
    private readonly LogManager _logs;
    private readonly MetadataCache _metadata;
    private readonly ReplicaManager _replicas;
    private readonly ILogger _logger;
    private readonly string _metadataDir;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TopicRecord> _topics;
    // Changes appended to the metadata file since its last snapshot (see TopicMetadataFile).
    private const int MinChangesBeforeSnapshot = 100;
    private int _changesSinceSnapshot;

    /// <summary>
    /// <paramref name="records"/> are the topics read from the metadata file (<see cref="ReadRecords"/>)
    /// before the log manager started (it needed their configs to load their partitions).
    /// </summary>
    public LocalClusterStore(BrokerConfig broker, LogManager logs, MetadataCache metadata, ReplicaManager replicas, IReadOnlyList<TopicRecord> records, ILogger<LocalClusterStore> logger)
    {
        _broker = broker;
        _logs = logs;
        _metadata = metadata;
        _replicas = replicas;
        _logger = logger;
        _metadataDir = broker.LogDirs[0];
        _topics = records.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    /// <summary>Reads the metadata file and gives the storage config of every known topic.</summary>
    public static IReadOnlyList<TopicRecord> ReadRecords(BrokerConfig broker) => TopicMetadataFile.Read(broker.LogDirs[0]);

    /// <summary>
    /// Publishes every topic: those in the metadata file (creating partition directories that are
    /// missing) and those found only as partition directories (adopted with the id in their
    /// partition.metadata, or a new one).
    /// </summary>
    public void Load()
    {
        lock (_lock)
        {
            foreach (var group in _logs.AllLogs.GroupBy(l => l.TopicPartition.Topic))
            {
                if (!_topics.ContainsKey(group.Key))
                {
                    var id = group.Select(l => Storage.Checkpoints.PartitionMetadataFile.ReadTopicId(l.Directory))
                        .Select(text => Uuid.TryParse(text, out var parsed) ? parsed : Uuid.Zero)
                        .FirstOrDefault(u => !u.IsZero);
                    var record = new TopicRecord(group.Key, id.IsZero ? Uuid.NewRandom() : id, group.Max(l => l.TopicPartition.Partition) + 1, 1, new Dictionary<string, string>());
                    _topics[group.Key] = record;
                    _logger.LogWarning("Adopted topic {Topic} found on disk but not in {File}", group.Key, TopicMetadataFile.FileName);
                }
            }
            foreach (var record in _topics.Values)
            {
                Publish(record);
            }
            Persist();
        }
    }

    public IReadOnlyCollection<TopicRecord> Topics
    {
        get
        {
            lock (_lock)
            {
                return [.. _topics.Values];
            }
        }
    }

    public TopicRecord? FindTopic(string name)
    {
        lock (_lock)
        {
            return _topics.GetValueOrDefault(name);
        }
    }

    public void ApplyBrokerDefaults(BrokerConfig broker)
    {
        lock (_lock)
        {
            Volatile.Write(ref _broker, broker);
            foreach (var record in _topics.Values)
            {
                _logs.UpdateTopicConfig(record.Name, TopicManager.LogConfigFor(broker, record.Configs));
            }
        }
    }

    /// <summary>The assignment is this broker for every partition (the only broker: the admin layer checked it).</summary>
    public ValueTask<ErrorCode> CreateTopicAsync(TopicRecord topic, IReadOnlyList<IReadOnlyList<int>> assignment, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_topics.TryAdd(topic.Name, topic))
            {
                return ValueTask.FromResult(ErrorCode.TopicAlreadyExists);
            }
            Publish(topic);
            Persist(topic.Name);
            return ValueTask.FromResult(ErrorCode.None);
        }
    }

    /// <summary>Removes the topic, then its partitions and their directories.</summary>
    public ValueTask<ErrorCode> DeleteTopicAsync(string name, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_topics.Remove(name, out var record))
            {
                return ValueTask.FromResult(ErrorCode.UnknownTopicOrPartition);
            }
            _metadata.RemoveTopic(name);
            for (var p = 0; p < record.Partitions; p++)
            {
                _replicas.StopReplica(new TopicPartition(name, p), deleteLog: true);
            }
            Persist(name);
            return ValueTask.FromResult(ErrorCode.None);
        }
    }

    public ValueTask<ErrorCode> CreatePartitionsAsync(string name, int currentCount, IReadOnlyList<IReadOnlyList<int>> newAssignment, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out var record))
            {
                return ValueTask.FromResult(ErrorCode.UnknownTopicOrPartition);
            }
            if (record.Partitions != currentCount)
            {
                return ValueTask.FromResult(ErrorCode.InvalidPartitions);
            }
            var grown = record with { Partitions = currentCount + newAssignment.Count };
            _topics[name] = grown;
            Publish(grown);
            Persist(name);
            return ValueTask.FromResult(ErrorCode.None);
        }
    }

    public ValueTask<ErrorCode> SetTopicConfigsAsync(string name, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out var record))
            {
                return ValueTask.FromResult(ErrorCode.UnknownTopicOrPartition);
            }
            var updated = record with { Configs = new Dictionary<string, string>(overrides) };
            _topics[name] = updated;
            Publish(updated);
            Persist(name);
            return ValueTask.FromResult(ErrorCode.None);
        }
    }

    /// <summary>
    /// Leads (creating its log when missing) every partition of a topic, with the topic's storage
    /// config, and publishes it: this broker is every partition's only replica, in leader epoch 0.
    /// Caller holds the lock.
    /// </summary>
    private void Publish(TopicRecord record)
    {
        var partitions = new List<PartitionMetadata>(record.Partitions);
        var config = TopicManager.LogConfigFor(_broker, record.Configs);
        IReadOnlyList<int> self = [_broker.BrokerId];
        for (var p = 0; p < record.Partitions; p++)
        {
            var tp = new TopicPartition(record.Name, p);
            partitions.Add(_replicas.BecomeLeader(tp, record.TopicId, config, leaderEpoch: 0, self, self) is null
                // Could not be opened at start-up (logged then): no leader until a restart opens it.
                ? new PartitionMetadata(p, -1, 0, self, [])
                : new PartitionMetadata(p, _broker.BrokerId, 0, self, self));
        }
        _metadata.PutTopic(new TopicMetadata(record.Name, record.TopicId, InternalTopics.IsInternal(record.Name), partitions, record.Configs));
    }

    /// <summary>Writes a snapshot of every topic. Caller holds the lock.</summary>
    private void Persist()
    {
        TopicMetadataFile.Write(_metadataDir, _topics.Values);
        _changesSinceSnapshot = 0;
    }

    /// <summary>Records the change of one topic (deleted when gone), snapshotting once changes outnumber topics. Caller holds the lock.</summary>
    private void Persist(string topic)
    {
        TopicMetadataFile.AppendChange(_metadataDir, topic, _topics.GetValueOrDefault(topic));
        if (++_changesSinceSnapshot > Math.Max(MinChangesBeforeSnapshot, _topics.Count))
        {
            Persist();
        }
    }
}
