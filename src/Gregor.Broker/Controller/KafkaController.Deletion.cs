using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Messages;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

public sealed partial class KafkaController
{
    // Per topic being deleted, the replicas (broker, partition) that have not yet confirmed that
    // they deleted their log. A replica on a dead broker waits until the broker is back.
    private readonly Dictionary<string, HashSet<(int Broker, int Partition)>> _pendingDeletions = new(StringComparer.Ordinal);

    /// <summary>
    /// /admin/delete_topics changed (Kafka's TopicDeletionManager): each newly marked topic is
    /// announced deleted to every broker (UpdateMetadata with leader -2), its replicas are told to
    /// delete their logs (StopReplica with delete), and once all have, its znodes are removed.
    /// A marker for a topic that does not exist is removed.
    /// </summary>
    private async Task OnTopicDeletionAsync(CancellationToken cancellationToken)
    {
        if (Term is not { } term)
        {
            return;
        }
        var marked = await _store.GetTopicDeletionsAsync(() => Enqueue("TopicDeletion", OnTopicDeletionAsync), cancellationToken).ConfigureAwait(false);
        var batch = NewBatch(term);
        var complete = new List<string>();
        foreach (var topic in marked)
        {
            if (!_context.Topics.ContainsKey(topic))
            {
                _logger.LogInformation("Removing the deletion marker of {Topic}, which does not exist", topic);
                await _store.DeleteTopicDeletionMarkerAsync(term, topic, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (!_context.TopicsToDelete.Add(topic))
            {
                continue;
            }
            var partitions = _context.PartitionsOf(topic).ToList();
            _logger.LogInformation("Deleting topic {Topic} ({Partitions} partitions)", topic, partitions.Count);
            batch.AddUpdateMetadata(_context.LiveBrokers.Keys, partitions);
            var pending = new HashSet<(int, int)>();
            foreach (var partition in partitions)
            {
                foreach (var replica in _context.ReplicasOf(partition))
                {
                    pending.Add((replica, partition.Partition));
                    batch.AddStopReplica([replica], partition, delete: true);
                }
            }
            _pendingDeletions[topic] = pending;
            if (pending.Count == 0)
            {
                complete.Add(topic);
            }
        }
        batch.Send(_channel, OnStopReplicaResponse);
        foreach (var topic in complete)
        {
            await CompleteDeletionAsync(term, topic, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletions waiting for <paramref name="started"/> brokers: their replicas are told again.</summary>
    private void ResumeDeletionsOn(ControllerRequestBatch batch, IReadOnlyList<int> started)
    {
        foreach (var (topic, pending) in _pendingDeletions)
        {
            foreach (var (broker, partition) in pending.Where(p => started.Contains(p.Broker)))
            {
                batch.AddStopReplica([broker], new TopicPartition(topic, partition), delete: true);
            }
        }
    }

    private void OnStopReplicaResponse(int broker, StopReplicaResponse? response)
    {
        if (response is null)
        {
            return;
        }
        Enqueue($"StopReplicaResponse from {broker}", async cancellationToken =>
        {
            if (Term is not { } term)
            {
                return;
            }
            foreach (var result in response.PartitionErrors.Where(r => r.ErrorCode == 0))
            {
                if (_pendingDeletions.TryGetValue(result.TopicName, out var pending)
                    && pending.Remove((broker, result.PartitionIndex)) && pending.Count == 0)
                {
                    await CompleteDeletionAsync(term, result.TopicName, cancellationToken).ConfigureAwait(false);
                }
            }
        });
    }

    private async Task CompleteDeletionAsync(ControllerEpoch term, string topic, CancellationToken cancellationToken)
    {
        await _store.DeleteTopicAsync(term, topic, cancellationToken).ConfigureAwait(false);
        ForgetTopic(topic);
        _logger.LogInformation("Deleted topic {Topic}", topic);
    }
}
