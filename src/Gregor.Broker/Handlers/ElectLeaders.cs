using Gregor.Broker.Cluster;
using Gregor.Broker.Controller;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;

namespace Gregor.Broker.Handlers;

/// <summary>
/// ElectLeaders, versions 0-2 (v0: preferred elections only), sent by admin clients to the
/// controller; another broker answers NOT_CONTROLLER for each partition (as Kafka's ZooKeeper
/// mode does, the top-level error stays NONE). A null topic list means every partition, and then
/// the partitions that needed no election are left out of the answer. As Kafka's
/// DelayedElectLeader, the answer waits until this broker's metadata shows each elected leader,
/// up to the request's TimeoutMs (REQUEST_TIMED_OUT for those it does not show by then).
/// </summary>
public sealed class ElectLeadersHandler(KafkaController controller, ClusterMetadataCache metadata) : RequestHandler<ElectLeadersRequest, ElectLeadersResponse>
{
    protected override async ValueTask<ElectLeadersResponse?> HandleAsync(RequestContext context, ElectLeadersRequest request, CancellationToken cancellationToken)
    {
        var type = context.ApiVersion >= 1 ? (ElectionType)request.ElectionType : ElectionType.Preferred;
        if (type is not (ElectionType.Preferred or ElectionType.Unclean))
        {
            return new ElectLeadersResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }
        var requested = request.TopicPartitions?.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).ToList();
        IReadOnlyDictionary<TopicPartition, ElectionOutcome> outcomes;
        if (!controller.IsActive)
        {
            var partitions = requested ?? [.. metadata.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.Partition)))];
            outcomes = partitions.Distinct().ToDictionary(p => p, _ => new ElectionOutcome(ErrorCode.NotController));
        }
        else
        {
            outcomes = await controller.ElectLeadersAsync(type, requested).WaitAsync(cancellationToken).ConfigureAwait(false);
            outcomes = await WaitForLeadersAsync(outcomes, TimeSpan.FromMilliseconds(Math.Max(0, request.TimeoutMs)), cancellationToken).ConfigureAwait(false);
        }
        var shown = requested is null ? outcomes.Where(o => o.Value.Error != ErrorCode.ElectionNotNeeded) : outcomes;
        return new ElectLeadersResponse
        {
            ReplicaElectionResults = shown.GroupBy(o => o.Key.Topic, StringComparer.Ordinal).Select(t => new ElectLeadersResponse.ReplicaElectionResult
            {
                Topic = t.Key,
                PartitionResult = t.OrderBy(o => o.Key.Partition).Select(o => new ElectLeadersResponse.PartitionResult
                {
                    PartitionId = o.Key.Partition,
                    ErrorCode = (short)o.Value.Error,
                    ErrorMessage = o.Value.Message,
                }).ToList(),
            }).ToList(),
        };
    }

    /// <summary>Waits until the metadata shows every elected partition's new leader; those it does not by the deadline answer REQUEST_TIMED_OUT.</summary>
    private async Task<IReadOnlyDictionary<TopicPartition, ElectionOutcome>> WaitForLeadersAsync(
        IReadOnlyDictionary<TopicPartition, ElectionOutcome> outcomes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool Shown(TopicPartition p, int leader) =>
            metadata.FindTopic(p.Topic)?.Partitions.FirstOrDefault(m => m.Partition == p.Partition)?.Leader == leader;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var changed = metadata.Changed;
            var waiting = outcomes.Where(o => o.Value.Error == ErrorCode.None && !Shown(o.Key, o.Value.Leader)).Select(o => o.Key).ToList();
            if (waiting.Count == 0)
            {
                return outcomes;
            }
            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var timedOut = waiting.ToHashSet();
                return outcomes.ToDictionary(o => o.Key, o => timedOut.Contains(o.Key)
                    ? new ElectionOutcome(ErrorCode.RequestTimedOut, "The election's new leader was not known to this broker before the request's timeout")
                    : o.Value);
            }
        }
    }
}
