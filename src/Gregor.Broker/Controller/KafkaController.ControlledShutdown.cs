using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Errors;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

/// <summary>The controller's answer to a ControlledShutdown: an error, or the partitions the broker still leads.</summary>
public sealed record ControlledShutdownResult(ErrorCode Error, IReadOnlyList<TopicPartition> Remaining);

public sealed partial class KafkaController
{
    /// <summary>
    /// A broker asks to shut down (Kafka's doControlledShutdown): it stops being eligible to lead;
    /// partitions with other replicas that it leads get a new leader from the ISR, and it leaves the
    /// ISR of those it follows. Single-replica partitions cannot move and do not hold it back. The
    /// answer lists the partitions it still leads (it retries while any remain).
    /// </summary>
    public Task<ControlledShutdownResult> ControlledShutdownAsync(int brokerId, long brokerEpoch) =>
        Ask($"ControlledShutdown {brokerId}", ct => DoControlledShutdownAsync(brokerId, brokerEpoch, ct));

    private async Task<ControlledShutdownResult> DoControlledShutdownAsync(int brokerId, long brokerEpoch, CancellationToken cancellationToken)
    {
        if (Term is not { } term)
        {
            return new ControlledShutdownResult(ErrorCode.NotController, []);
        }
        if (!_context.LiveBrokers.TryGetValue(brokerId, out var broker))
        {
            return new ControlledShutdownResult(ErrorCode.BrokerNotAvailable, []);
        }
        if (brokerEpoch != -1 && brokerEpoch < broker.Epoch)
        {
            return new ControlledShutdownResult(ErrorCode.StaleBrokerEpoch, []);
        }
        _context.ShuttingDown.Add(brokerId);
        _logger.LogInformation("Broker {BrokerId} is shutting down; moving its leadership away", brokerId);

        var batch = NewBatch(term);
        var moving = new Dictionary<TopicPartition, PartitionStateInfo>();
        var live = _context.LiveBrokers.Keys.ToHashSet();
        foreach (var (partition, state) in _context.States)
        {
            var replicas = _context.ReplicasOf(partition);
            if (replicas.Count <= 1 || _context.TopicsToDelete.Contains(partition.Topic))
            {
                continue;
            }
            if (state.LeaderAndIsr.Leader == brokerId)
            {
                if (LeaderElection.ForControlledShutdown(replicas, state.LeaderAndIsr, live, _context.ShuttingDown) is { } elected)
                {
                    moving[partition] = new PartitionStateInfo(elected, term.Epoch);
                }
            }
            else if (state.LeaderAndIsr.Isr.Contains(brokerId) && state.LeaderAndIsr.Isr.Count > 1
                && LeaderElection.RemoveReplicaFromIsr(state.LeaderAndIsr, brokerId) is { } shrunk)
            {
                moving[partition] = new PartitionStateInfo(shrunk, term.Epoch);
            }
        }
        await WriteStatesAsync(term, batch, moving, cancellationToken).ConfigureAwait(false);
        batch.Send(_channel, OnStopReplicaResponse);

        var remaining = _context.States
            .Where(s => s.Value.LeaderAndIsr.Leader == brokerId && _context.ReplicasOf(s.Key).Count > 1)
            .Select(s => s.Key).ToList();
        return new ControlledShutdownResult(ErrorCode.None, remaining);
    }
}
