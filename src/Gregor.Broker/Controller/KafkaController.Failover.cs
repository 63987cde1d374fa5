using System.Diagnostics;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

public sealed partial class KafkaController
{
    /// <summary>
    /// Becoming controller: arm the watches, read the whole cluster state in batches (brokers,
    /// topics, partition states, deletions), tell every live broker the full metadata and each
    /// replica its partitions' leadership, then bring offline and new partitions online and resume
    /// deletions.
    /// </summary>
    private async Task OnFailoverAsync(ControllerEpoch term, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _context.Clear();
        foreach (var broker in await _store.GetBrokersAsync(OnBrokerWatch, cancellationToken).ConfigureAwait(false))
        {
            _context.LiveBrokers[broker.Id] = broker;
            _channel.AddBroker(broker);
        }
        var names = await _store.GetTopicNamesAsync(OnTopicWatch, cancellationToken).ConfigureAwait(false);
        foreach (var topic in await _store.GetTopicsAsync(names, OnPartitionsWatch, cancellationToken).ConfigureAwait(false))
        {
            _context.Topics[topic.Name] = topic;
        }
        var partitions = _context.AllPartitions.ToList();
        foreach (var (partition, state) in await _store.GetPartitionStatesAsync(partitions, cancellationToken).ConfigureAwait(false))
        {
            _context.States[partition] = state;
        }
        var readTime = clock.Elapsed;

        var batch = NewBatch(term);
        batch.AddUpdateMetadata(_context.LiveBrokers.Keys, partitions);
        foreach (var (partition, state) in _context.States)
        {
            batch.AddLeaderAndIsr(_context.ReplicasOf(partition), partition, state, isNew: false);
        }
        await BringPartitionsOnlineAsync(term, batch, partitions, cancellationToken).ConfigureAwait(false);
        batch.Send(_channel, OnStopReplicaResponse);

        _logger.LogInformation("Controller {BrokerId} (epoch {Epoch}) read {Brokers} live brokers, {Topics} topics and {Partitions} partitions in {ReadMs} ms; ready in {TotalMs} ms",
            _brokerId, term.Epoch, _context.LiveBrokers.Count, _context.Topics.Count, partitions.Count,
            (long)readTime.TotalMilliseconds, (long)clock.Elapsed.TotalMilliseconds);
        await OnTopicDeletionAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnBrokerWatch() => Enqueue("BrokerChange", OnBrokerChangeAsync);

    private void OnTopicWatch() => Enqueue("TopicChange", OnTopicChangeAsync);

    private void OnPartitionsWatch(string topic) => Enqueue($"PartitionModifications {topic}", ct => OnPartitionModificationsAsync(topic, ct));

    /// <summary>
    /// Kafka's triggerOnlinePartitionStateChange over <paramref name="partitions"/>: a partition
    /// without a state gets its first (new partitions); one whose leader is not eligible gets a new
    /// leader from its ISR, or, with none, is marked leaderless (leader -1, ISR kept) so clients see
    /// it offline. Partitions of topics being deleted are left alone.
    /// </summary>
    private async Task BringPartitionsOnlineAsync(ControllerEpoch term, ControllerRequestBatch batch, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<TopicPartition, PartitionStateInfo>();
        var eligible = _context.EligibleBrokers;
        var changed = new Dictionary<TopicPartition, PartitionStateInfo>();
        foreach (var partition in partitions)
        {
            if (_context.TopicsToDelete.Contains(partition.Topic))
            {
                continue;
            }
            var replicas = _context.ReplicasOf(partition);
            if (!_context.States.TryGetValue(partition, out var state))
            {
                if (LeaderElection.ForNewPartition(replicas, eligible) is { } first)
                {
                    fresh[partition] = new PartitionStateInfo(first, term.Epoch);
                }
                continue;
            }
            if (eligible.Contains(state.LeaderAndIsr.Leader))
            {
                continue;
            }
            if (await ElectOfflineLeaderAsync(partition, replicas, state.LeaderAndIsr, eligible, cancellationToken).ConfigureAwait(false) is { } elected)
            {
                if (elected.Unclean)
                {
                    _logger.LogWarning("Unclean leader election for {Partition}: broker {Leader} leads without being in the ISR {Isr}; records acknowledged by the ISR may be lost",
                        partition, elected.LeaderAndIsr.Leader, string.Join(",", state.LeaderAndIsr.Isr));
                }
                changed[partition] = new PartitionStateInfo(elected.LeaderAndIsr, term.Epoch);
            }
        }
        if (fresh.Count > 0)
        {
            foreach (var (partition, state) in await _store.CreatePartitionStatesAsync(term, fresh, cancellationToken).ConfigureAwait(false))
            {
                _context.States[partition] = state;
                batch.AddLeaderAndIsr(_context.ReplicasOf(partition), partition, state, isNew: true);
            }
        }
        await WriteStatesAsync(term, batch, changed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes changed partition states and tells the replicas and every broker. A state that had
    /// changed in ZooKeeper meanwhile is re-read into the context (a later event acts on it).
    /// </summary>
    private async Task WriteStatesAsync(ControllerEpoch term, ControllerRequestBatch batch, Dictionary<TopicPartition, PartitionStateInfo> changed, CancellationToken cancellationToken)
    {
        if (changed.Count == 0)
        {
            return;
        }
        var written = await _store.UpdatePartitionStatesAsync(term, changed, cancellationToken).ConfigureAwait(false);
        foreach (var (partition, state) in written)
        {
            _context.States[partition] = state;
            batch.AddLeaderAndIsr(_context.ReplicasOf(partition), partition, state, isNew: false);
        }
        var stale = changed.Keys.Where(p => !written.ContainsKey(p)).ToList();
        if (stale.Count > 0)
        {
            _logger.LogWarning("{Count} partition states changed in ZooKeeper before the controller wrote them (first {Partition}); re-read", stale.Count, stale[0]);
            foreach (var (partition, state) in await _store.GetPartitionStatesAsync(stale, cancellationToken).ConfigureAwait(false))
            {
                _context.States[partition] = state;
            }
        }
    }
}
