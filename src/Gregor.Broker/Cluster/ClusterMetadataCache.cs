using Gregor.Broker.Topics;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>
/// A broker's view of the cluster in ZooKeeper mode, as Kafka's ZkMetadataCache: filled only by
/// the controller's UpdateMetadata requests. The live brokers are replaced by each request; the
/// partition states it carries are merged in, and a partition whose leader is
/// <see cref="Controller.LeaderValues.LeaderDuringDelete"/> is removed (its topic with its last
/// partition). A partition whose leader is not a live broker is published with leader -1, which
/// clients see as LEADER_NOT_AVAILABLE. Each update publishes a new immutable snapshot, so readers
/// never see half of one.
/// </summary>
public sealed class ClusterMetadataCache(string clusterId, string listenerName) : IMetadataCache
{
    private sealed record Snapshot(
        int ControllerId,
        IReadOnlyList<BrokerEndpoint> Brokers,
        IReadOnlyDictionary<string, TopicMetadata> ByName,
        IReadOnlyDictionary<Uuid, TopicMetadata> ById);

    private Snapshot _snapshot = new(-1, [], new Dictionary<string, TopicMetadata>(StringComparer.Ordinal), new Dictionary<Uuid, TopicMetadata>());
    private readonly Lock _updateLock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string ClusterId { get; } = clusterId;

    public int ControllerId => Volatile.Read(ref _snapshot).ControllerId;

    public IReadOnlyList<BrokerEndpoint> Brokers => Volatile.Read(ref _snapshot).Brokers;

    public IReadOnlyCollection<TopicMetadata> Topics => (IReadOnlyCollection<TopicMetadata>)Volatile.Read(ref _snapshot).ByName.Values;

    public TopicMetadata? FindTopic(string name) => Volatile.Read(ref _snapshot).ByName.GetValueOrDefault(name);

    public TopicMetadata? FindTopic(Uuid topicId) => Volatile.Read(ref _snapshot).ById.GetValueOrDefault(topicId);

    /// <summary>
    /// Completes at the next update after this call: a waiter takes it first and checks the cache
    /// after, so an update between the two is never missed.
    /// </summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public BrokerEndpoint? FindBroker(int brokerId) => Volatile.Read(ref _snapshot).Brokers.FirstOrDefault(b => b.NodeId == brokerId);

    /// <summary>True once the first UpdateMetadata has arrived.</summary>
    public bool IsInitialized => Volatile.Read(ref _snapshot).ControllerId >= 0;

    /// <summary>
    /// How long a client's Metadata waits for the first UpdateMetadata after start-up (the
    /// controller sends it once this broker has registered), before it is answered with what the
    /// broker knows, which is nothing. Shorter than any client's request timeout.
    /// </summary>
    public static readonly TimeSpan FirstUpdateWait = TimeSpan.FromSeconds(10);

    /// <summary>Completes at the first UpdateMetadata, or after <see cref="FirstUpdateWait"/>.</summary>
    public async Task WhenReadyAsync(CancellationToken cancellationToken)
    {
        if (IsInitialized)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FirstUpdateWait);
        try
        {
            while (true)
            {
                var changed = Changed;
                if (IsInitialized)
                {
                    return;
                }
                await changed.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Waited long enough: the caller answers with what there is.
        }
    }

    /// <summary>Whether <paramref name="brokerId"/> is a live broker.</summary>
    public bool IsAlive(int brokerId) => Volatile.Read(ref _snapshot).Brokers.Any(b => b.NodeId == brokerId);

    /// <summary>Applies one UpdateMetadata; gives the topics it removed (deleted).</summary>
    public IReadOnlyList<string> Apply(UpdateMetadataRequest request)
    {
        lock (_updateLock)
        {
            var old = _snapshot;
            var brokers = request.LiveBrokers
                .Select(b => (b.Id, Endpoint: b.Endpoints.FirstOrDefault(e => e.Listener == listenerName) ?? b.Endpoints.FirstOrDefault(), b.Rack))
                .Where(b => b.Endpoint is not null)
                .Select(b => new BrokerEndpoint(b.Id, b.Endpoint!.Host, b.Endpoint.Port, string.IsNullOrEmpty(b.Rack) ? null : b.Rack))
                .OrderBy(b => b.NodeId)
                .ToList();
            var alive = brokers.Select(b => b.NodeId).ToHashSet();

            // Partitions as the controller last sent them (leader as written, not as alive), by topic.
            var topics = new Dictionary<string, (Uuid Id, SortedDictionary<int, PartitionMetadata> Partitions)>(StringComparer.Ordinal);
            foreach (var topic in old.ByName.Values)
            {
                var raw = _raw.GetValueOrDefault(topic.Name);
                topics[topic.Name] = (topic.TopicId, raw ?? new SortedDictionary<int, PartitionMetadata>(topic.Partitions.ToDictionary(p => p.Partition)));
            }
            var removed = new List<string>();
            foreach (var topicState in request.TopicStates)
            {
                foreach (var state in topicState.PartitionStates)
                {
                    ApplyPartition(topics, topicState.TopicName, topicState.TopicId, state, removed);
                }
            }
            foreach (var state in request.UngroupedPartitionStates)
            {
                ApplyPartition(topics, state.TopicName, Uuid.Zero, state, removed);
            }

            var byName = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
            var byId = new Dictionary<Uuid, TopicMetadata>();
            _raw.Clear();
            foreach (var (name, (id, partitions)) in topics)
            {
                _raw[name] = partitions;
                var published = partitions.Values
                    .Select(p => alive.Contains(p.Leader) ? p : p with { Leader = -1 })
                    .ToList();
                var topic = new TopicMetadata(name, id, InternalTopics.IsInternal(name), published, old.ByName.GetValueOrDefault(name)?.Configs ?? new Dictionary<string, string>());
                byName[name] = topic;
                if (!id.IsZero)
                {
                    byId[id] = topic;
                }
            }
            Volatile.Write(ref _snapshot, new Snapshot(request.ControllerId, brokers, byName, byId));
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            return removed;
        }
    }

    // The partitions as received, under _updateLock; the snapshot publishes them with dead leaders as -1.
    private readonly Dictionary<string, SortedDictionary<int, PartitionMetadata>> _raw = new(StringComparer.Ordinal);

    private static void ApplyPartition(
        Dictionary<string, (Uuid Id, SortedDictionary<int, PartitionMetadata> Partitions)> topics,
        string topic, Uuid topicId, UpdateMetadataRequest.UpdateMetadataPartitionState state, List<string> removed)
    {
        if (state.Leader == Controller.LeaderValues.LeaderDuringDelete)
        {
            if (topics.TryGetValue(topic, out var existing))
            {
                existing.Partitions.Remove(state.PartitionIndex);
                if (existing.Partitions.Count == 0)
                {
                    topics.Remove(topic);
                    removed.Add(topic);
                }
            }
            return;
        }
        if (!topics.TryGetValue(topic, out var entry))
        {
            entry = (topicId, new SortedDictionary<int, PartitionMetadata>());
        }
        else if (!topicId.IsZero && entry.Id != topicId)
        {
            entry = (topicId, entry.Partitions);
        }
        entry.Partitions[state.PartitionIndex] = new PartitionMetadata(state.PartitionIndex, state.Leader, state.LeaderEpoch, [.. state.Replicas], [.. state.Isr]);
        topics[topic] = entry;
    }
}
