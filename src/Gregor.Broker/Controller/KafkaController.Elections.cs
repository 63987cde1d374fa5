using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Errors;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

/// <summary>The kinds of ElectLeaders election (the request's ElectionType).</summary>
public enum ElectionType : sbyte
{
    /// <summary>The preferred (first assigned) replica takes the leadership, when live and in the ISR.</summary>
    Preferred = 0,

    /// <summary>A partition without a live leader gets one, from outside the ISR when no ISR member is live.</summary>
    Unclean = 1,
}

/// <summary>One partition's election answer: None with its new <paramref name="Leader"/> when it was elected, or why not.</summary>
public sealed record ElectionOutcome(ErrorCode Error, string? Message = null, int Leader = LeaderAndIsr.NoLeader);

public sealed partial class KafkaController
{
    /// <summary>
    /// ElectLeaders (Kafka's processReplicaLeaderElection, admin-triggered), for
    /// <paramref name="partitions"/> or, when null, every partition: per partition
    /// UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION (being deleted), ELECTION_NOT_NEEDED
    /// (preferred: the preferred replica leads already; unclean: a live leader leads), else the
    /// election: PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE when it finds
    /// nobody. NOT_CONTROLLER for each when this broker is not controller.
    /// </summary>
    public Task<IReadOnlyDictionary<TopicPartition, ElectionOutcome>> ElectLeadersAsync(ElectionType type, IReadOnlyCollection<TopicPartition>? partitions) =>
        Ask<IReadOnlyDictionary<TopicPartition, ElectionOutcome>>($"ElectLeaders {type}", async cancellationToken =>
        {
            if (Term is not { } term)
            {
                return (partitions ?? []).Distinct().ToDictionary(p => p, _ => new ElectionOutcome(ErrorCode.NotController));
            }
            return await RunElectionAsync(term, type, partitions ?? _context.AllPartitions.ToList(), cancellationToken).ConfigureAwait(false);
        });

    private async Task<Dictionary<TopicPartition, ElectionOutcome>> RunElectionAsync(
        ControllerEpoch term, ElectionType type, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<TopicPartition, ElectionOutcome>();
        var elected = new Dictionary<TopicPartition, PartitionStateInfo>();
        var eligible = _context.EligibleBrokers;
        var failure = type == ElectionType.Preferred ? ErrorCode.PreferredLeaderNotAvailable : ErrorCode.EligibleLeadersNotAvailable;
        foreach (var partition in partitions.Distinct())
        {
            var replicas = _context.ReplicasOf(partition);
            if (replicas.Count == 0 || !_context.States.TryGetValue(partition, out var state))
            {
                outcomes[partition] = new ElectionOutcome(ErrorCode.UnknownTopicOrPartition, "The partition does not exist.");
                continue;
            }
            if (_context.TopicsToDelete.Contains(partition.Topic))
            {
                outcomes[partition] = new ElectionOutcome(ErrorCode.InvalidTopicException, "The topic is being deleted");
                continue;
            }
            var current = state.LeaderAndIsr;
            var needed = type == ElectionType.Preferred
                ? current.Leader != replicas[0]
                : current.Leader == LeaderAndIsr.NoLeader || !_context.IsLive(current.Leader);
            if (!needed)
            {
                outcomes[partition] = new ElectionOutcome(ErrorCode.ElectionNotNeeded);
                continue;
            }
            var next = type == ElectionType.Preferred
                ? LeaderElection.ForPreferredReplica(replicas, current, eligible)
                : LeaderElection.ForOfflinePartition(replicas, current, eligible, uncleanLeaderElectionEnabled: true)?.LeaderAndIsr;
            if (next is null || next.Leader == LeaderAndIsr.NoLeader)
            {
                outcomes[partition] = new ElectionOutcome(failure, type == ElectionType.Preferred
                    ? $"Failed to elect leader for partition {partition}: the preferred replica {replicas[0]} is not live or not in the ISR [{string.Join(",", current.Isr)}]"
                    : $"Failed to elect leader for partition {partition}: no assigned replica [{string.Join(",", replicas)}] is live");
                continue;
            }
            if (type == ElectionType.Unclean && !current.Isr.Contains(next.Leader))
            {
                _logger.LogWarning("Unclean leader election for {Partition} requested by an admin: broker {Leader} leads without being in the ISR [{Isr}]; records acknowledged by the ISR may be lost",
                    partition, next.Leader, string.Join(",", current.Isr));
            }
            elected[partition] = new PartitionStateInfo(next, term.Epoch);
        }
        if (elected.Count > 0)
        {
            _logger.LogInformation("{Type} leader election for {Count} partitions", type, elected.Count);
            var batch = NewBatch(term);
            await WriteStatesAsync(term, batch, elected, cancellationToken).ConfigureAwait(false);
            batch.Send(_channel, OnStopReplicaResponse);
            foreach (var (partition, intended) in elected)
            {
                var now = _context.States[partition].LeaderAndIsr;
                outcomes[partition] = now.Leader == intended.LeaderAndIsr.Leader && now.LeaderEpoch == intended.LeaderAndIsr.LeaderEpoch
                    ? new ElectionOutcome(ErrorCode.None, Leader: now.Leader)
                    : new ElectionOutcome(failure, $"The state of partition {partition} changed during the election; try again");
            }
        }
        return outcomes;
    }

    /// <summary>
    /// Whether a partition of <paramref name="topic"/> with no live ISR member may be led by an
    /// out-of-sync replica: the topic's unclean.leader.election.enable, else the broker's.
    /// </summary>
    private async ValueTask<bool> UncleanLeaderElectionAsync(string topic, CancellationToken cancellationToken) =>
        _options.TopicUncleanLeaderElection is { } read
            ? await read(topic, cancellationToken).ConfigureAwait(false) ?? _options.UncleanLeaderElection
            : _options.UncleanLeaderElection;

    /// <summary>
    /// Kafka's offline election for one partition: an ISR member when one is live; otherwise an
    /// out-of-sync replica only when the topic allows unclean election (its config is read only then).
    /// </summary>
    private async ValueTask<LeaderElectionResult?> ElectOfflineLeaderAsync(
        TopicPartition partition, IReadOnlyList<int> replicas, LeaderAndIsr current, IReadOnlySet<int> eligible, CancellationToken cancellationToken)
    {
        var clean = LeaderElection.ForOfflinePartition(replicas, current, eligible, uncleanLeaderElectionEnabled: false);
        if (clean is { LeaderAndIsr.Leader: not LeaderAndIsr.NoLeader } || !replicas.Any(eligible.Contains)
            || !await UncleanLeaderElectionAsync(partition.Topic, cancellationToken).ConfigureAwait(false))
        {
            return clean;
        }
        return LeaderElection.ForOfflinePartition(replicas, current, eligible, uncleanLeaderElectionEnabled: true);
    }
}
