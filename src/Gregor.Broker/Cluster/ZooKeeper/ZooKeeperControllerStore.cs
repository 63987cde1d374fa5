using Gregor.Broker.Controller;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The controller's view of <see cref="ZooKeeperClusterStore"/>: the reads it makes on failover and
/// on each event, with the watches that queue its next events, and its fenced writes. A topic
/// written without a topic id (by a tool of before topic ids, or by hand) gets one written back,
/// as Kafka's controller does.
/// </summary>
public sealed class ZooKeeperControllerStore(ZooKeeperSession zookeeper, ILogger<ZooKeeperControllerStore> logger) : IControllerStore
{
    private ZooKeeperClusterStore Store => zookeeper.Store;

    public Task<int?> GetControllerIdAsync(Action onChange, CancellationToken cancellationToken) =>
        Store.GetControllerIdAsync(_ => onChange(), cancellationToken);

    public Task<ControllerEpoch?> TryElectAsync(int brokerId, CancellationToken cancellationToken) =>
        Store.TryElectControllerAsync(brokerId, cancellationToken);

    public async Task ResignAsync(ControllerEpoch term, CancellationToken cancellationToken) =>
        await Store.ResignControllerAsync(term, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<LiveBroker>> GetBrokersAsync(Action onChange, CancellationToken cancellationToken)
    {
        var brokers = await Store.GetBrokersAsync(_ => onChange(), cancellationToken).ConfigureAwait(false);
        return brokers.Select(b => new LiveBroker(
            b.Registration.BrokerId,
            b.BrokerEpoch,
            b.Registration.Endpoints.Where(e => e.Host is not null)
                .Select(e => new LiveEndpoint(e.ListenerName, e.Host!, e.Port, SecurityProtocolId(e.SecurityProtocol))).ToList(),
            b.Registration.Rack)).ToList();
    }

    private static short SecurityProtocolId(string name) => name switch
    {
        "SSL" => 1,
        "SASL_PLAINTEXT" => 2,
        "SASL_SSL" => 3,
        _ => 0,
    };

    public Task<IReadOnlyList<string>> GetTopicNamesAsync(Action onChange, CancellationToken cancellationToken) =>
        Store.GetTopicNamesAsync(_ => onChange(), cancellationToken);

    public async Task<IReadOnlyList<ControlledTopic>> GetTopicsAsync(IReadOnlyCollection<string> topics, Action<string> onChange, CancellationToken cancellationToken)
    {
        var store = Store;
        var read = await store.GetTopicAssignmentsAsync(topics, cancellationToken).ConfigureAwait(false);
        // A data watch per topic (partitions added); an exists watch fires on data changes too.
        await Task.WhenAll(read.Keys.Select(t => store.Client.ExistsAsync(ZkPaths.Topic(t), _ => onChange(t), cancellationToken))).ConfigureAwait(false);
        var result = new List<ControlledTopic>(read.Count);
        foreach (var stored in read.Values)
        {
            var id = stored.Assignment.TopicId ?? Uuid.Zero;
            if (id.IsZero)
            {
                id = Uuid.NewRandom();
                if (await store.SetTopicAssignmentAsync(stored.Topic, stored.Assignment with { TopicId = id }, stored.ZkVersion, cancellationToken).ConfigureAwait(false) is null)
                {
                    continue; // changed meanwhile: its watch brings it back
                }
                logger.LogInformation("Topic {Topic} had no topic id; assigned {TopicId}", stored.Topic, id);
            }
            result.Add(new ControlledTopic(stored.Topic, id, stored.Assignment.Partitions.ToDictionary(p => p.Key, p => p.Value.Replicas)));
        }
        return result;
    }

    public Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> GetPartitionStatesAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken) =>
        Store.GetPartitionStatesAsync(partitions, cancellationToken);

    public async Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> CreatePartitionStatesAsync(ControllerEpoch term, IReadOnlyDictionary<TopicPartition, PartitionStateInfo> states, CancellationToken cancellationToken)
    {
        var writes = await Store.CreatePartitionStatesAsync(term, states.Select(s => (s.Key, s.Value.LeaderAndIsr)).ToList(), cancellationToken).ConfigureAwait(false);
        return Written(writes, term);
    }

    public async Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> UpdatePartitionStatesAsync(ControllerEpoch term, IReadOnlyDictionary<TopicPartition, PartitionStateInfo> states, CancellationToken cancellationToken)
    {
        var writes = await Store.UpdatePartitionStatesAsync(term, states.Select(s => (s.Key, s.Value.LeaderAndIsr)).ToList(), cancellationToken).ConfigureAwait(false);
        return Written(writes, term);
    }

    private static Dictionary<TopicPartition, PartitionStateInfo> Written(IReadOnlyList<PartitionStateWrite> writes, ControllerEpoch term) =>
        writes.Where(w => w.Written is not null).ToDictionary(w => w.Partition, w => new PartitionStateInfo(w.Written!, term.Epoch));

    public Task<IReadOnlyList<string>> GetTopicDeletionsAsync(Action onChange, CancellationToken cancellationToken) =>
        Store.GetTopicsMarkedForDeletionAsync(_ => onChange(), cancellationToken);

    public Task DeleteTopicAsync(ControllerEpoch term, string topic, CancellationToken cancellationToken) =>
        Store.DeleteTopicAsync(term, topic, cancellationToken);

    public async Task DeleteTopicDeletionMarkerAsync(ControllerEpoch term, string topic, CancellationToken cancellationToken)
    {
        var results = await Store.FencedMultiAsync(term, [ZkOp.Delete(ZkPaths.DeleteTopic(topic))], cancellationToken).ConfigureAwait(false);
        if (results[0].Error is not (ZkErrorCode.Ok or ZkErrorCode.NoNode))
        {
            throw new ZooKeeperException(results[0].Error, ZkPaths.DeleteTopic(topic));
        }
    }
}
