using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

/// <summary>One topic of an AlterPartition request: by name (v0-1) or by id (v2+, <see cref="Name"/> null).</summary>
public sealed record AlterPartitionTopic(string? Name, Uuid TopicId, IReadOnlyList<(int Partition, IsrProposal Proposal)> Partitions);

/// <summary>One partition's answer: an error, or the state as stored (its ISR and partition epoch).</summary>
public sealed record AlterPartitionOutcome(int Partition, ErrorCode Error, LeaderAndIsr? State);

/// <summary>One topic's answers, named as the request named it.</summary>
public sealed record AlterPartitionTopicResult(string? Name, Uuid TopicId, IReadOnlyList<AlterPartitionOutcome> Partitions);

/// <summary>The controller's answer to AlterPartition: a top-level error, or one answer per partition.</summary>
public sealed record AlterPartitionResult(ErrorCode Error, IReadOnlyList<AlterPartitionTopicResult> Topics);

public sealed partial class KafkaController
{
    /// <summary>
    /// A partition leader proposes new ISRs (Kafka's processAlterPartition): NOT_CONTROLLER when
    /// this broker is not controller; STALE_BROKER_EPOCH unless the sender is registered with that
    /// broker epoch; per partition UNKNOWN_TOPIC_ID / UNKNOWN_TOPIC_OR_PARTITION, then the rules of
    /// <see cref="IsrChange"/>. Accepted changes are written conditionally on their partition
    /// epoch (a lost race answers INVALID_UPDATE_VERSION); the answer carries the stored state,
    /// and every live broker gets UpdateMetadata for the partitions (the leader already knows;
    /// no LeaderAndIsr: the leader epoch is unchanged).
    /// </summary>
    public Task<AlterPartitionResult> AlterPartitionAsync(int brokerId, long brokerEpoch, IReadOnlyList<AlterPartitionTopic> topics) =>
        Ask($"AlterPartition from {brokerId}", ct => DoAlterPartitionAsync(brokerId, brokerEpoch, topics, ct));

    /// <summary>Runs <paramref name="run"/> as an event of the queue and gives its answer.</summary>
    private Task<T> Ask<T>(string name, Func<CancellationToken, Task<T>> run)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_events.Writer.TryWrite((name, async cancellationToken =>
            {
                try
                {
                    answer.TrySetResult(await run(cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    answer.TrySetException(e);
                    throw;
                }
            }
        )))
        {
            answer.TrySetException(new ObjectDisposedException(nameof(KafkaController)));
        }
        return answer.Task;
    }

    private async Task<AlterPartitionResult> DoAlterPartitionAsync(int brokerId, long brokerEpoch, IReadOnlyList<AlterPartitionTopic> topics, CancellationToken cancellationToken)
    {
        if (Term is not { } term)
        {
            return new AlterPartitionResult(ErrorCode.NotController, []);
        }
        if (!_context.LiveBrokers.TryGetValue(brokerId, out var sender) || sender.Epoch != brokerEpoch)
        {
            _logger.LogInformation("AlterPartition from broker {BrokerId} with broker epoch {Epoch} refused: registered epoch {Registered}",
                brokerId, brokerEpoch, sender?.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
            return new AlterPartitionResult(ErrorCode.StaleBrokerEpoch, []);
        }

        var outcomes = new Dictionary<TopicPartition, AlterPartitionOutcome>();
        var toWrite = new Dictionary<TopicPartition, PartitionStateInfo>();
        var answered = new List<(AlterPartitionTopic Topic, string? Name)>();
        foreach (var topic in topics)
        {
            var name = topic.Name ?? _context.Topics.Values.FirstOrDefault(t => t.TopicId == topic.TopicId)?.Name;
            answered.Add((topic, name));
            if (name is null)
            {
                continue;
            }
            foreach (var (index, proposal) in topic.Partitions)
            {
                var partition = new TopicPartition(name, index);
                if (!_context.States.TryGetValue(partition, out var state))
                {
                    outcomes[partition] = new AlterPartitionOutcome(index, ErrorCode.UnknownTopicOrPartition, null);
                    continue;
                }
                var decision = IsrChange.Decide(brokerId, proposal, state.LeaderAndIsr, _context.ReplicasOf(partition),
                    _context.IsLive, _context.ShuttingDown.Contains);
                if (decision.ToWrite is { } write)
                {
                    toWrite[partition] = new PartitionStateInfo(write, term.Epoch);
                    continue;
                }
                outcomes[partition] = new AlterPartitionOutcome(index, decision.Error, decision.AlreadyCurrent);
                if (decision.Error != ErrorCode.None)
                {
                    _logger.LogInformation("AlterPartition from broker {BrokerId} for {Partition} (ISR [{Isr}], leader epoch {LeaderEpoch}, partition epoch {PartitionEpoch}) refused: {Error}; current {Current}",
                        brokerId, partition, string.Join(",", proposal.NewIsr), proposal.LeaderEpoch, proposal.PartitionEpoch, decision.Error.KafkaName(), state.LeaderAndIsr);
                }
            }
        }

        if (toWrite.Count > 0)
        {
            var written = await _store.UpdatePartitionStatesAsync(term, toWrite, cancellationToken).ConfigureAwait(false);
            foreach (var (partition, state) in written)
            {
                _context.States[partition] = state;
                outcomes[partition] = new AlterPartitionOutcome(partition.Partition, ErrorCode.None, state.LeaderAndIsr);
                _logger.LogInformation("ISR of {Partition} is now [{Isr}] (leader {Leader}, leader epoch {LeaderEpoch}, partition epoch {PartitionEpoch})",
                    partition, string.Join(",", state.LeaderAndIsr.Isr), state.LeaderAndIsr.Leader, state.LeaderAndIsr.LeaderEpoch, state.LeaderAndIsr.PartitionEpoch);
            }
            var stale = toWrite.Keys.Where(p => !written.ContainsKey(p)).ToList();
            if (stale.Count > 0)
            {
                foreach (var partition in stale)
                {
                    outcomes[partition] = new AlterPartitionOutcome(partition.Partition, ErrorCode.InvalidUpdateVersion, null);
                }
                foreach (var (partition, state) in await _store.GetPartitionStatesAsync(stale, cancellationToken).ConfigureAwait(false))
                {
                    _context.States[partition] = state;
                }
            }
            var batch = NewBatch(term);
            batch.AddUpdateMetadata(_context.LiveBrokers.Keys, written.Keys.ToList());
            batch.Send(_channel, OnStopReplicaResponse);
        }

        var results = answered.Select(a => new AlterPartitionTopicResult(a.Topic.Name, a.Topic.TopicId, a.Topic.Partitions.Select(p =>
            a.Name is null
                ? new AlterPartitionOutcome(p.Partition, ErrorCode.UnknownTopicId, null)
                : outcomes[new TopicPartition(a.Name, p.Partition)]).ToList())).ToList();
        return new AlterPartitionResult(ErrorCode.None, results);
    }
}
