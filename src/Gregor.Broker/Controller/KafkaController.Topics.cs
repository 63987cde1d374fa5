using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

public sealed partial class KafkaController
{
    /// <summary>/brokers/topics changed: new topics are read and their partitions brought online.</summary>
    private async Task OnTopicChangeAsync(CancellationToken cancellationToken)
    {
        if (Term is not { } term)
        {
            return;
        }
        var names = await _store.GetTopicNamesAsync(OnTopicWatch, cancellationToken).ConfigureAwait(false);
        var known = names.ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _context.Topics.Keys.Where(t => !known.Contains(t)).ToList())
        {
            ForgetTopic(gone);
        }
        var added = names.Where(n => !_context.Topics.ContainsKey(n)).ToList();
        if (added.Count == 0)
        {
            return;
        }
        var topics = await _store.GetTopicsAsync(added, OnPartitionsWatch, cancellationToken).ConfigureAwait(false);
        foreach (var topic in topics)
        {
            _context.Topics[topic.Name] = topic;
        }
        _logger.LogInformation("New topics [{Topics}] with {Partitions} partitions", string.Join(",", topics.Select(t => t.Name)), topics.Sum(t => t.Partitions.Count));
        await OnNewPartitionsAsync(term, topics.SelectMany(t => t.Partitions.Keys.Select(p => new TopicPartition(t.Name, p))).ToList(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A topic's assignment changed: partitions added (CreatePartitions) are brought online.</summary>
    private async Task OnPartitionModificationsAsync(string topic, CancellationToken cancellationToken)
    {
        if (Term is not { } term || !_context.Topics.TryGetValue(topic, out var before))
        {
            return;
        }
        var read = await _store.GetTopicsAsync([topic], OnPartitionsWatch, cancellationToken).ConfigureAwait(false);
        if (read.Count == 0 || _context.TopicsToDelete.Contains(topic))
        {
            return;
        }
        var after = read[0];
        var added = after.Partitions.Keys.Where(p => !before.Partitions.ContainsKey(p)).Select(p => new TopicPartition(topic, p)).ToList();
        if (added.Count == 0)
        {
            return;
        }
        // Kafka reassigns existing partitions only through /admin/reassign_partitions: only the
        // new partitions' assignment is taken from the znode.
        var merged = new Dictionary<int, IReadOnlyList<int>>(before.Partitions);
        foreach (var partition in added)
        {
            merged[partition.Partition] = after.Partitions[partition.Partition];
        }
        _context.Topics[topic] = before with { Partitions = merged };
        _logger.LogInformation("Topic {Topic}: {Count} partitions added", topic, added.Count);
        await OnNewPartitionsAsync(term, added, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnNewPartitionsAsync(ControllerEpoch term, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var batch = NewBatch(term);
        await BringPartitionsOnlineAsync(term, batch, partitions, cancellationToken).ConfigureAwait(false);
        batch.Send(_channel, OnStopReplicaResponse);
    }

    private void ForgetTopic(string topic)
    {
        foreach (var partition in _context.PartitionsOf(topic).ToList())
        {
            _context.States.Remove(partition);
        }
        _context.Topics.Remove(topic);
        _context.TopicsToDelete.Remove(topic);
        _pendingDeletions.Remove(topic);
    }
}
