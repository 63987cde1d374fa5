using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

public sealed partial class KafkaController
{
    /// <summary>
    /// /brokers/ids changed: diff by (id, epoch). A broker whose epoch grew re-registered (it
    /// failed and came back), so it counts as failed and then started.
    /// </summary>
    private async Task OnBrokerChangeAsync(CancellationToken cancellationToken)
    {
        if (Term is not { } term)
        {
            return;
        }
        var current = (await _store.GetBrokersAsync(OnBrokerWatch, cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Id);
        var dead = _context.LiveBrokers.Keys.Where(id => !current.ContainsKey(id)).ToList();
        var bounced = current.Values.Where(b => _context.LiveBrokers.TryGetValue(b.Id, out var known) && b.Epoch > known.Epoch).Select(b => b.Id).ToList();
        var started = current.Keys.Where(id => !_context.LiveBrokers.ContainsKey(id)).ToList();
        if (dead.Count == 0 && bounced.Count == 0 && started.Count == 0)
        {
            return;
        }
        _logger.LogInformation("Brokers changed: started [{Started}], failed [{Dead}], bounced [{Bounced}]",
            string.Join(",", started), string.Join(",", dead), string.Join(",", bounced));

        foreach (var id in dead.Concat(bounced))
        {
            _context.LiveBrokers.Remove(id);
            _context.ShuttingDown.Remove(id);
            _channel.RemoveBroker(id);
        }
        var batch = NewBatch(term);
        if (dead.Count + bounced.Count > 0)
        {
            await OnBrokerFailureAsync(term, batch, [.. dead, .. bounced], cancellationToken).ConfigureAwait(false);
        }
        foreach (var id in started.Concat(bounced))
        {
            _context.LiveBrokers[id] = current[id];
            _channel.AddBroker(current[id]);
        }
        if (started.Count + bounced.Count > 0)
        {
            await OnBrokerStartupAsync(term, batch, [.. started, .. bounced], cancellationToken).ConfigureAwait(false);
        }
        batch.Send(_channel, OnStopReplicaResponse);
    }

    /// <summary>
    /// Kafka's onBrokerFailure: partitions led by a failed broker get a new leader (or none); the
    /// failed broker leaves the ISR of the others (never emptying it); every live broker learns it
    /// is gone.
    /// </summary>
    private async Task OnBrokerFailureAsync(ControllerEpoch term, ControllerRequestBatch batch, IReadOnlyList<int> failed, CancellationToken cancellationToken)
    {
        var affected = _context.States.Where(s => failed.Contains(s.Value.LeaderAndIsr.Leader)).Select(s => s.Key).ToList();
        await BringPartitionsOnlineAsync(term, batch, affected, cancellationToken).ConfigureAwait(false);

        var shrunk = new Dictionary<TopicPartition, PartitionStateInfo>();
        foreach (var (partition, state) in _context.States)
        {
            if (_context.TopicsToDelete.Contains(partition.Topic) || failed.Contains(state.LeaderAndIsr.Leader))
            {
                continue;
            }
            var after = state.LeaderAndIsr;
            foreach (var gone in failed)
            {
                after = LeaderElection.RemoveReplicaFromIsr(after, gone) is { } removed ? removed with { LeaderEpoch = state.LeaderAndIsr.LeaderEpoch + 1 } : after;
            }
            if (after != state.LeaderAndIsr)
            {
                shrunk[partition] = new PartitionStateInfo(after, term.Epoch);
            }
        }
        await WriteStatesAsync(term, batch, shrunk, cancellationToken).ConfigureAwait(false);
        // The live brokers list changed even when no partition did.
        batch.AddUpdateMetadata(_context.LiveBrokers.Keys, []);
    }

    /// <summary>
    /// Kafka's onBrokerStartup: the new brokers get the full metadata, the others the new broker
    /// list; the new brokers get the leadership of every partition they hold a replica of; offline
    /// partitions they can lead come online; deletions waiting for them go on.
    /// </summary>
    private async Task OnBrokerStartupAsync(ControllerEpoch term, ControllerRequestBatch batch, IReadOnlyList<int> started, CancellationToken cancellationToken)
    {
        batch.AddUpdateMetadata(started, _context.AllPartitions.ToList());
        batch.AddUpdateMetadata(_context.LiveBrokers.Keys.Except(started), []);
        foreach (var broker in started)
        {
            foreach (var partition in _context.PartitionsOn(broker))
            {
                if (_context.States.TryGetValue(partition, out var state) && !_context.TopicsToDelete.Contains(partition.Topic))
                {
                    batch.AddLeaderAndIsr([broker], partition, state, isNew: false);
                }
            }
        }
        var offline = _context.AllPartitions.Where(p => !_context.States.TryGetValue(p, out var s) || !_context.IsEligible(s.LeaderAndIsr.Leader)).ToList();
        await BringPartitionsOnlineAsync(term, batch, offline, cancellationToken).ConfigureAwait(false);
        ResumeDeletionsOn(batch, started);
    }
}
