using Gregor.Broker.Cluster;
using Gregor.Broker.Config;
using Gregor.Broker.Handlers;
using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Topics;

/// <summary>
/// Creates, alters and deletes topics on this single node: keeps the topic records (persisted in
/// <see cref="TopicMetadataFile"/>), the partitions' logs (through <see cref="LogManager"/>), the
/// <see cref="ReplicaManager"/>'s partitions and the <see cref="LocalMetadataStore"/>'s view.
/// All changes run under one lock (<see cref="_lock"/>), which also guards <see cref="_topics"/>;
/// readers use the metadata store and replica manager, which publish immutable snapshots.
/// </summary>
public sealed class TopicManager : ITopicAutoCreator
{
    // The effective broker config (static plus dynamic defaults); replaced under _lock by UpdateBrokerDefaults.
    private BrokerConfig _broker;
    private readonly LogManager _logs;
    private readonly LocalMetadataStore _metadata;
    private readonly ReplicaManager _replicas;
    private readonly ILogger _logger;
    private readonly string _metadataDir;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TopicRecord> _topics;
    // Changes appended to the metadata file since its last snapshot (see TopicMetadataFile).
    private const int MinChangesBeforeSnapshot = 100;
    private int _changesSinceSnapshot;
    // Topic names by TopicNames.CollisionKey, built on first use; an entry whose topic is gone is stale and ignored.
    private Dictionary<string, string>? _collisionKeys;

    /// <summary>
    /// <paramref name="records"/> are the topics read from the metadata file before the log manager
    /// started (it needed their configs to load their partitions).
    /// </summary>
    public TopicManager(BrokerConfig broker, LogManager logs, LocalMetadataStore metadata, ReplicaManager replicas, IReadOnlyList<TopicRecord> records, ILogger<TopicManager> logger)
    {
        _broker = broker;
        _logs = logs;
        _metadata = metadata;
        _replicas = replicas;
        _logger = logger;
        _metadataDir = broker.LogDirs[0];
        _topics = records.ToDictionary(r => r.Name, StringComparer.Ordinal);
        Budget = new PartitionBudget(logs);
    }

    public PartitionBudget Budget { get; }

    /// <summary>Reads the metadata file and gives the storage config of every known topic.</summary>
    public static IReadOnlyList<TopicRecord> ReadRecords(BrokerConfig broker) => TopicMetadataFile.Read(broker.LogDirs[0]);

    public static LogConfig LogConfigFor(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides) =>
        LogConfigMapper.ToLogConfig(TopicConfigDefinitions.Resolve(broker, overrides));

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

    public int LiveBrokerCount => _metadata.Brokers.Count;

    public TopicRecord? Find(string name)
    {
        lock (_lock)
        {
            return _topics.GetValueOrDefault(name);
        }
    }

    public TopicConfig ConfigOf(TopicRecord topic) => TopicConfigDefinitions.Resolve(Volatile.Read(ref _broker), topic.Configs);

    /// <summary>
    /// New broker defaults (dynamic broker configs changed): every topic's storage config is
    /// recomputed, so keys a topic does not override take the new default at once.
    /// </summary>
    public void UpdateBrokerDefaults(BrokerConfig broker)
    {
        lock (_lock)
        {
            Volatile.Write(ref _broker, broker);
            foreach (var record in _topics.Values)
            {
                _logs.UpdateTopicConfig(record.Name, LogConfigFor(broker, record.Configs));
            }
        }
    }

    /// <summary>Creates a topic (or only checks that it could be, with <paramref name="validateOnly"/>).</summary>
    public TopicCreationResult Create(TopicCreationRequest request, bool validateOnly)
    {
        var invalidName = TopicNames.Validate(request.Name);
        if (invalidName is not null)
        {
            return TopicCreationResult.Failed(ErrorCode.InvalidTopicException, invalidName);
        }
        var brokers = _metadata.Brokers.Count;
        int partitions;
        short replicationFactor;
        if (request.Assignments is { Count: > 0 } assignments)
        {
            if (request.Partitions != -1 || request.ReplicationFactor != -1)
            {
                return TopicCreationResult.Failed(ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            }
            var error = ValidateAssignments(assignments);
            if (error is not null)
            {
                return TopicCreationResult.Failed(ErrorCode.InvalidReplicaAssignment, error);
            }
            partitions = assignments.Count;
            replicationFactor = (short)assignments.Values.First().Count;
        }
        else
        {
            partitions = request.Partitions == -1 ? _broker.NumPartitions : request.Partitions;
            replicationFactor = request.ReplicationFactor == -1 ? (short)_broker.DefaultReplicationFactor : request.ReplicationFactor;
            if (partitions <= 0)
            {
                return TopicCreationResult.Failed(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.");
            }
            if (replicationFactor <= 0)
            {
                return TopicCreationResult.Failed(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0.");
            }
            if (replicationFactor > brokers)
            {
                return TopicCreationResult.Failed(ErrorCode.InvalidReplicationFactor, $"Replication factor: {replicationFactor} larger than available brokers: {brokers}.");
            }
        }
        try
        {
            TopicConfigDefinitions.Validate(request.Configs);
        }
        catch (ConfigException e)
        {
            return TopicCreationResult.Failed(ErrorCode.InvalidConfig, e.Message);
        }
        lock (_lock)
        {
            if (_topics.ContainsKey(request.Name))
            {
                return TopicCreationResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{request.Name}' already exists.");
            }
            if (_collisionKeys is null)
            {
                _collisionKeys = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var name in _topics.Keys)
                {
                    _collisionKeys.TryAdd(TopicNames.CollisionKey(name), name);
                }
            }
            var key = TopicNames.CollisionKey(request.Name);
            var collision = _collisionKeys.GetValueOrDefault(key);
            if (collision is not null && !_topics.ContainsKey(collision))
            {
                // Stale (that topic was deleted): another live topic may share the key; look once.
                collision = _topics.Keys.FirstOrDefault(t => TopicNames.CollisionKey(t) == key);
            }
            if (collision is not null)
            {
                return TopicCreationResult.Failed(ErrorCode.InvalidTopicException, $"Topic '{request.Name}' collides with existing topic: {collision}");
            }
            if (Budget.Refusal(partitions) is { } refusal)
            {
                return TopicCreationResult.Failed(ErrorCode.PolicyViolation, refusal);
            }
            var record = new TopicRecord(request.Name, Uuid.NewRandom(), partitions, replicationFactor, new Dictionary<string, string>(request.Configs));
            if (validateOnly)
            {
                return new TopicCreationResult(ErrorCode.None, null, record);
            }
            _topics[record.Name] = record;
            _collisionKeys[key] = record.Name;
            _logs.UpdateTopicConfig(record.Name, LogConfigFor(_broker, record.Configs));
            Publish(record);
            Persist(record.Name);
            _logger.LogInformation("Created topic {Topic} with {Partitions} partitions, id {TopicId}", record.Name, partitions, record.TopicId);
            return new TopicCreationResult(ErrorCode.None, null, record);
        }
    }

    private string? ValidateAssignments(IReadOnlyDictionary<int, IReadOnlyList<int>> assignments)
    {
        var live = _metadata.Brokers.Select(b => b.NodeId).ToHashSet();
        var expected = 0;
        int? factor = null;
        foreach (var (partition, replicas) in assignments.OrderBy(a => a.Key))
        {
            if (partition != expected++)
            {
                return "Partitions should be a consecutive 0-based integer sequence";
            }
            if (replicas.Count == 0 || replicas.Distinct().Count() != replicas.Count)
            {
                return $"Duplicate or empty replica assignment for partition {partition}";
            }
            if (factor is not null && factor != replicas.Count)
            {
                return "All partitions should have the same number of replicas";
            }
            factor = replicas.Count;
            var unknown = replicas.FirstOrDefault(r => !live.Contains(r), -1);
            if (unknown != -1 || replicas.Contains(-1))
            {
                return $"Unknown broker {unknown} in the replica assignment of partition {partition}";
            }
        }
        return null;
    }

    /// <summary>Deletes a topic: its partitions' directories, its record and its metadata.</summary>
    public ErrorCode Delete(string name)
    {
        lock (_lock)
        {
            if (!_topics.Remove(name, out var record))
            {
                return ErrorCode.UnknownTopicOrPartition;
            }
            _metadata.RemoveTopic(name);
            for (var p = 0; p < record.Partitions; p++)
            {
                var tp = new TopicPartition(name, p);
                _replicas.Remove(tp);
                _logs.DeleteLog(tp);
            }
            Persist(name);
            _logger.LogInformation("Deleted topic {Topic}", name);
            return ErrorCode.None;
        }
    }

    /// <summary>Grows a topic to <paramref name="count"/> partitions (partitions never shrink).</summary>
    public (ErrorCode Error, string? Message) CreatePartitions(string name, int count, bool validateOnly)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out var record))
            {
                return (ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }
            if (count < record.Partitions)
            {
                return (ErrorCode.InvalidPartitions, $"Topic currently has {record.Partitions} partitions, which is higher than the requested {count}.");
            }
            if (count == record.Partitions)
            {
                return (ErrorCode.InvalidPartitions, $"Topic already has {record.Partitions} partitions.");
            }
            if (Budget.Refusal(count - record.Partitions) is { } refusal)
            {
                return (ErrorCode.PolicyViolation, refusal);
            }
            if (validateOnly)
            {
                return (ErrorCode.None, null);
            }
            var grown = record with { Partitions = count };
            _topics[name] = grown;
            Publish(grown);
            Persist(name);
            _logger.LogInformation("Topic {Topic} now has {Partitions} partitions", name, count);
            return (ErrorCode.None, null);
        }
    }

    /// <summary>Replaces a topic's config overrides (already validated) and applies them live.</summary>
    public ErrorCode SetConfigs(string name, IReadOnlyDictionary<string, string> overrides)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(name, out var record))
            {
                return ErrorCode.UnknownTopicOrPartition;
            }
            var updated = record with { Configs = new Dictionary<string, string>(overrides) };
            _topics[name] = updated;
            _logs.UpdateTopicConfig(name, LogConfigFor(_broker, updated.Configs));
            Publish(updated);
            Persist(name);
            return ErrorCode.None;
        }
    }

    /// <summary>
    /// A user topic gets num.partitions and default.replication.factor; __consumer_offsets gets the
    /// group coordinator's settings (<see cref="InternalTopics.ConsumerOffsetsTopic"/>), as Kafka's
    /// auto-creation does; the other reserved names are not created. A topic created now is
    /// answered LEADER_NOT_AVAILABLE, as Kafka answers the request that creates it (its partitions
    /// are served from the next request on); one that a concurrent request created is None.
    /// Deletion runs under the same lock as creation, so a topic being deleted is re-created only
    /// once its deletion finished.
    /// </summary>
    public ValueTask<ErrorCode> TryAutoCreateAsync(string topic, CancellationToken cancellationToken)
    {
        var broker = Volatile.Read(ref _broker);
        if (!broker.AutoCreateTopicsEnable || (InternalTopics.IsReserved(topic) && topic != InternalTopics.ConsumerOffsets))
        {
            return ValueTask.FromResult(ErrorCode.UnknownTopicOrPartition);
        }
        var request = topic == InternalTopics.ConsumerOffsets
            ? InternalTopics.ConsumerOffsetsTopic(broker, LiveBrokerCount)
            : new TopicCreationRequest(topic, -1, -1, null, new Dictionary<string, string>());
        var result = Create(request, validateOnly: false);
        return ValueTask.FromResult(result.Error switch
        {
            ErrorCode.None => ErrorCode.LeaderNotAvailable,
            ErrorCode.TopicAlreadyExists => ErrorCode.None,
            var error => error,
        });
    }

    /// <summary>Opens (creating when missing) every partition of a topic and publishes it. Caller holds the lock.</summary>
    private void Publish(TopicRecord record)
    {
        var partitions = new List<PartitionMetadata>(record.Partitions);
        for (var p = 0; p < record.Partitions; p++)
        {
            var tp = new TopicPartition(record.Name, p);
            if (_logs.IsOffline(tp))
            {
                // Could not be opened at start-up (logged then): no leader until a restart opens it.
                partitions.Add(new PartitionMetadata(p, -1, 0, [_broker.BrokerId], []));
                continue;
            }
            if (_replicas.GetPartition(record.Name, p) is null)
            {
                var log = _logs.GetOrCreateLog(tp, record.TopicId);
                // The only replica is this broker, so everything in the log is committed: after an
                // unclean stop the checkpointed high watermark may lag the recovered log end.
                log.UpdateHighWatermark(log.LogEndOffset);
                _replicas.Add(new Partition(tp, record.TopicId, log, leaderEpoch: 0));
            }
            partitions.Add(new PartitionMetadata(p, _broker.BrokerId, 0, [_broker.BrokerId], [_broker.BrokerId]));
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
