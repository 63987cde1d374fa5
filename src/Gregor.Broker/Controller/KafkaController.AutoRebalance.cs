using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

public sealed partial class KafkaController
{
    // The pending rebalance check of the current term; created and disposed on the event loop only.
    private ITimer? _rebalanceTimer;

    /// <summary>
    /// With auto.leader.rebalance.enable, a check is queued one interval from now (Kafka's
    /// scheduleAutoLeaderRebalanceTask); each check schedules the next while the term lasts.
    /// </summary>
    private void ScheduleAutoLeaderRebalance(ControllerEpoch term)
    {
        if (!_options.AutoLeaderRebalance)
        {
            return;
        }
        _rebalanceTimer?.Dispose();
        _rebalanceTimer = _options.Time.CreateTimer(
            _ => Enqueue("AutoLeaderRebalance", ct => OnAutoLeaderRebalanceAsync(term, ct)),
            null, _options.LeaderImbalanceCheckInterval, Timeout.InfiniteTimeSpan);
    }

    private void StopAutoLeaderRebalance()
    {
        _rebalanceTimer?.Dispose();
        _rebalanceTimer = null;
    }

    /// <summary>
    /// Kafka's checkAndTriggerAutoLeaderRebalance: for each broker whose share of partitions led
    /// elsewhere (of those it is the preferred replica of) is above
    /// leader.imbalance.per.broker.percentage, a preferred election for those of them whose
    /// preferred replica can lead. Topics being deleted are left out.
    /// </summary>
    private async Task OnAutoLeaderRebalanceAsync(ControllerEpoch term, CancellationToken cancellationToken)
    {
        if (Term != term)
        {
            return;
        }
        try
        {
            var eligible = _context.EligibleBrokers;
            var partitions = _context.AllPartitions
                .Where(p => !_context.TopicsToDelete.Contains(p.Topic))
                .Select(p => (p, _context.ReplicasOf(p), _context.States.TryGetValue(p, out var s) ? s.LeaderAndIsr.Leader : (int?)null));
            var candidates = LeaderImbalance.Candidates(partitions, _options.LeaderImbalancePerBrokerPercentage)
                .Where(p => LeaderElection.ForPreferredReplica(_context.ReplicasOf(p), _context.States[p].LeaderAndIsr, eligible) is not null)
                .ToList();
            if (candidates.Count > 0)
            {
                _logger.LogInformation("Leader imbalance: preferred leader election for {Count} partitions (first {Partition})", candidates.Count, candidates[0]);
                await RunElectionAsync(term, ElectionType.Preferred, candidates, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (Term == term)
            {
                ScheduleAutoLeaderRebalance(term);
            }
        }
    }
}
