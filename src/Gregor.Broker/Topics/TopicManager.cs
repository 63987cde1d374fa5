using Gregor.Broker.Cluster;
using Gregor.Broker.Config;
using Gregor.Broker.Handlers;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Topics;

/// <summary>
/// Topic administration: validates creations, deletions, partition growth and config changes as
/// Kafka's admin layer does (names, partition counts, replication factors and assignments against
/// the live brokers, configs, collisions, the partition budget), then hands each to the
/// <see cref="IClusterStore"/>, which makes it durable and applied. Admin changes on this broker
/// run one at a time under <see cref="_admin"/>, which also guards <see cref="_collisionKeys"/>:
/// a check and the change it allows see the same topics (across brokers the store's conditional
/// writes decide).
/// </summary>
public sealed class TopicManager : ITopicAutoCreator
{
    // The effective broker config (static plus dynamic defaults); replaced by UpdateBrokerDefaults.
    private BrokerConfig _broker;
    private readonly IClusterStore _store;
    private readonly IMetadataCache _metadata;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _admin = new(1, 1);
    // Topic names by TopicNames.CollisionKey, built on first use; an entry whose topic is gone is stale and ignored.
    private Dictionary<string, string>? _collisionKeys;

    public TopicManager(BrokerConfig broker, IClusterStore store, IMetadataCache metadata, PartitionBudget budget, ILogger<TopicManager> logger)
    {
        _broker = broker;
        _store = store;
        _metadata = metadata;
        _logger = logger;
        Budget = budget;
    }

    public PartitionBudget Budget { get; }

    public static LogConfig LogConfigFor(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides) =>
        LogConfigMapper.ToLogConfig(TopicConfigDefinitions.Resolve(broker, overrides));

    public int LiveBrokerCount => _metadata.Brokers.Count;

    public TopicRecord? Find(string name) => _store.FindTopic(name);

    /// <summary>The broker config in force: static plus dynamic defaults.</summary>
    /// <summary>How long a change waits for the cluster to apply it when no request names a timeout (auto-creation, internal topics).</summary>
    public static readonly TimeSpan DefaultApplyTimeout = TimeSpan.FromSeconds(30);

    public BrokerConfig EffectiveBrokerConfig => Volatile.Read(ref _broker);

    public TopicConfig ConfigOf(TopicRecord topic) => TopicConfigDefinitions.Resolve(Volatile.Read(ref _broker), topic.Configs);

    /// <summary>
    /// New broker defaults (dynamic broker configs changed): every topic's storage config is
    /// recomputed, so keys a topic does not override take the new default at once.
    /// </summary>
    public void UpdateBrokerDefaults(BrokerConfig broker)
    {
        Volatile.Write(ref _broker, broker);
        _store.ApplyBrokerDefaults(broker);
    }

    /// <summary>Creates a topic (or only checks that it could be, with <paramref name="validateOnly"/>).</summary>
    public ValueTask<TopicCreationResult> CreateAsync(TopicCreationRequest request, bool validateOnly, CancellationToken cancellationToken = default) =>
        CreateAsync(request, validateOnly, DefaultApplyTimeout, cancellationToken);

    /// <summary>As <see cref="CreateAsync(TopicCreationRequest, bool, CancellationToken)"/>, waiting up to <paramref name="applyTimeout"/> for the cluster to apply it (zero: not at all).</summary>
    public async ValueTask<TopicCreationResult> CreateAsync(TopicCreationRequest request, bool validateOnly, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        var invalidName = TopicNames.Validate(request.Name);
        if (invalidName is not null)
        {
            return TopicCreationResult.Failed(ErrorCode.InvalidTopicException, invalidName);
        }
        var broker = Volatile.Read(ref _broker);
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
            partitions = request.Partitions == -1 ? broker.NumPartitions : request.Partitions;
            replicationFactor = request.ReplicationFactor == -1 ? (short)broker.DefaultReplicationFactor : request.ReplicationFactor;
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
        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store.FindTopic(request.Name) is not null)
            {
                return TopicCreationResult.Failed(ErrorCode.TopicAlreadyExists, $"Topic '{request.Name}' already exists.");
            }
            if (_collisionKeys is null)
            {
                _collisionKeys = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var topic in _store.Topics)
                {
                    _collisionKeys.TryAdd(TopicNames.CollisionKey(topic.Name), topic.Name);
                }
            }
            var key = TopicNames.CollisionKey(request.Name);
            var collision = _collisionKeys.GetValueOrDefault(key);
            if (collision is not null && _store.FindTopic(collision) is null)
            {
                // Stale (that topic was deleted): another live topic may share the key; look once.
                collision = _store.Topics.Select(t => t.Name).FirstOrDefault(t => TopicNames.CollisionKey(t) == key);
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
            var assignment = request.Assignments is { Count: > 0 } given
                ? [.. given.OrderBy(a => a.Key).Select(a => a.Value)]
                : Assign(partitions, replicationFactor, 0);
            var error = await _store.CreateTopicAsync(record, assignment, applyTimeout, cancellationToken).ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                return TopicCreationResult.Failed(error, $"Topic '{request.Name}' could not be created: {error.KafkaName()}.");
            }
            _collisionKeys[key] = record.Name;
            _logger.LogInformation("Created topic {Topic} with {Partitions} partitions, id {TopicId}", record.Name, partitions, record.TopicId);
            return new TopicCreationResult(ErrorCode.None, null, record);
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <summary>
    /// Replicas for <paramref name="count"/> new partitions numbered from <paramref name="firstPartition"/>,
    /// placed over the live brokers by Kafka's algorithm (<see cref="ReplicaAssignment"/>: round robin
    /// from a random start, followers shifted, rack-aware with broker.rack); the replication factor
    /// was validated against the live brokers before. On a single node every replica is this broker.
    /// </summary>
    private IReadOnlyList<IReadOnlyList<int>> Assign(int count, int replicationFactor, int firstPartition)
    {
        var brokers = _metadata.Brokers.Select(b => new BrokerRack(b.NodeId, b.Rack)).ToList();
        var result = ReplicaAssignment.Assign(brokers, count, Math.Min(replicationFactor, brokers.Count), Random.Shared, firstPartition);
        if (result.Assignment is null)
        {
            // Some brokers with a rack and some without: place them as if none had one.
            result = ReplicaAssignment.Assign(brokers.ConvertAll(b => b with { Rack = null }), count, Math.Min(replicationFactor, brokers.Count), Random.Shared, firstPartition);
        }
        return Enumerable.Range(firstPartition, count).Select(p => result.Assignment![p]).ToList();
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
    public async ValueTask<ErrorCode> DeleteAsync(string name, TimeSpan applyTimeout, CancellationToken cancellationToken = default)
    {
        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var error = await _store.DeleteTopicAsync(name, applyTimeout, cancellationToken).ConfigureAwait(false);
            if (error == ErrorCode.None)
            {
                _logger.LogInformation("Deleted topic {Topic}", name);
            }
            return error;
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <summary>
    /// Grows a topic to <paramref name="count"/> partitions (partitions never shrink), with the given
    /// replicas for the new ones (already validated) or the broker's own assignment.
    /// </summary>
    public async ValueTask<(ErrorCode Error, string? Message)> CreatePartitionsAsync(string name, int count, IReadOnlyList<IReadOnlyList<int>>? assignment, bool validateOnly, TimeSpan applyTimeout, CancellationToken cancellationToken = default)
    {
        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_store.FindTopic(name) is not { } record)
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
            var added = assignment ?? Assign(count - record.Partitions, record.ReplicationFactor, record.Partitions);
            var error = await _store.CreatePartitionsAsync(name, record.Partitions, added, applyTimeout, cancellationToken).ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                return (error, $"The partitions of topic '{name}' could not be created: {error.KafkaName()}.");
            }
            _logger.LogInformation("Topic {Topic} now has {Partitions} partitions", name, count);
            return (ErrorCode.None, null);
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <summary>Replaces a topic's config overrides (already validated) and applies them live.</summary>
    public async ValueTask<ErrorCode> SetConfigsAsync(string name, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken = default)
    {
        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _store.SetTopicConfigsAsync(name, overrides, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <summary>
    /// A user topic gets num.partitions and default.replication.factor; __consumer_offsets gets the
    /// group coordinator's settings (<see cref="InternalTopics.ConsumerOffsetsTopic"/>), as Kafka's
    /// auto-creation does; the other reserved names are not created. A topic created now is
    /// answered LEADER_NOT_AVAILABLE, as Kafka answers the request that creates it (its partitions
    /// are served from the next request on); one that a concurrent request created is None.
    /// Deletion is serialised with creation, so a topic being deleted is re-created only once its
    /// deletion finished.
    /// </summary>
    public async ValueTask<ErrorCode> TryAutoCreateAsync(string topic, CancellationToken cancellationToken)
    {
        var broker = Volatile.Read(ref _broker);
        if (!broker.AutoCreateTopicsEnable || (InternalTopics.IsReserved(topic) && topic != InternalTopics.ConsumerOffsets))
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        var request = topic == InternalTopics.ConsumerOffsets
            ? InternalTopics.ConsumerOffsetsTopic(broker, LiveBrokerCount)
            : new TopicCreationRequest(topic, -1, -1, null, new Dictionary<string, string>());
        var result = await CreateAsync(request, validateOnly: false, cancellationToken).ConfigureAwait(false);
        return result.Error switch
        {
            ErrorCode.None => ErrorCode.LeaderNotAvailable,
            ErrorCode.TopicAlreadyExists => ErrorCode.None,
            var error => error,
        };
    }
}
