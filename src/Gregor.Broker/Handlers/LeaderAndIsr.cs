using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Broker.Replication;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Handlers;

/// <summary>
/// LeaderAndIsr, versions 0-7, from the controller (ZooKeeper mode only): fenced by controller and
/// broker epoch, then answered per partition, as Kafka's makeLeaders / makeFollowers do it. A
/// request whose leader epoch is older than the one held is refused for that partition
/// (STALE_CONTROLLER_EPOCH, as Kafka answers). Logs missing here are created (with the topic's
/// config as the cluster store has it), those of one request concurrently.
/// <list type="bullet">
/// <item>Partitions this broker is told to lead are first taken from the replica fetchers, so
/// nothing fetched from the old leader lands after it leads, then take the leader epoch,
/// replicas and ISR.</item>
/// <item>Partitions it is told to follow take the new leadership; when the leader or the leader
/// epoch changed (or the replica is new here) fetching restarts from the new leader at the log
/// end, at the endpoint the request's live leaders give (else the metadata cache's); a partition
/// led by -1 is held with no fetcher.</item>
/// </list>
/// <see cref="ILeadershipListener"/> hears when this broker starts leading a partition and when
/// one it led is now followed, for the coordinators that own internal partitions; a log dir that
/// failed answers KAFKA_STORAGE_ERROR for its partitions.
/// </summary>
public sealed class LeaderAndIsrHandler(
    int brokerId,
    ReplicaManager replicas,
    ReplicaFetcherManager fetchers,
    IMetadataCache metadata,
    ControllerFence fence,
    Func<string, CancellationToken, ValueTask<LogConfig>> configOf,
    ILeadershipListener listener,
    ILogger<LeaderAndIsrHandler> logger) : RequestHandler<LeaderAndIsrRequest, LeaderAndIsrResponse>
{
    /// <summary>How many partitions' logs one request creates at once (creating one is a few small file writes).</summary>
    private static readonly int CreationParallelism = Environment.ProcessorCount * 2;

    private sealed record Change(TopicPartition Partition, Uuid TopicId, LeaderAndIsrRequest.LeaderAndIsrPartitionState State)
    {
        public Partition? Held { get; init; }

        public ErrorCode Error { get; set; }

        public Partition? Result { get; set; }

        public bool LeaderChanged { get; set; }
    }

    protected override async ValueTask<LeaderAndIsrResponse?> HandleAsync(RequestContext context, LeaderAndIsrRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var error = fence.Check(request.ControllerEpoch, request.BrokerEpoch);
        var response = new LeaderAndIsrResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            logger.LogWarning("Refused LeaderAndIsr from controller {Controller} with epoch {Epoch}: {Error}", request.ControllerId, request.ControllerEpoch, error);
            return response;
        }
        var changes = (version >= 2
                ? request.TopicStates.SelectMany(t => t.PartitionStates.Select(p => (Topic: t.TopicName, t.TopicId, State: p)))
                : request.UngroupedPartitionStates.Select(p => (Topic: p.TopicName, TopicId: Uuid.Zero, State: p)))
            .Select(s => new Change(new TopicPartition(s.Topic, s.State.PartitionIndex), s.TopicId, s.State) { Held = replicas.GetReplica(new TopicPartition(s.Topic, s.State.PartitionIndex)) })
            .ToList();
        foreach (var change in changes.Where(c => c.Held is { } held && c.State.LeaderEpoch < held.LeaderEpoch))
        {
            logger.LogWarning("Ignoring LeaderAndIsr for {Partition}: its leader epoch {Epoch} is older than this broker's {Current}", change.Partition, change.State.LeaderEpoch, change.Held!.LeaderEpoch);
            change.Error = ErrorCode.StaleControllerEpoch;
        }
        var applied = changes.Where(c => c.Error == ErrorCode.None).ToList();
        var configs = new Dictionary<string, LogConfig>(StringComparer.Ordinal);
        foreach (var topic in applied.Select(c => c.Partition.Topic).Distinct(StringComparer.Ordinal))
        {
            configs[topic] = await configOf(topic, cancellationToken).ConfigureAwait(false);
        }
        var toLead = applied.Where(c => c.State.Leader == brokerId).ToList();
        var toFollow = applied.Where(c => c.State.Leader != brokerId).ToList();

        await fetchers.RemovePartitionsAsync([.. toLead.Select(c => c.Partition)]).ConfigureAwait(false);
        await Parallel.ForEachAsync(applied, new ParallelOptions { MaxDegreeOfParallelism = CreationParallelism, CancellationToken = cancellationToken }, (change, _) =>
        {
            Apply(change, configs[change.Partition.Topic]);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        foreach (var change in toLead.Where(c => c.Result is not null))
        {
            if (change.Held is not { IsLeader: true })
            {
                logger.LogInformation("Leader of {Partition} with leader epoch {Epoch}", change.Partition, change.State.LeaderEpoch);
            }
            listener.OnBecameLeader(change.Partition, change.State.LeaderEpoch);
        }
        foreach (var change in toFollow.Where(c => c.Result is not null && c.Held is { IsLeader: true }))
        {
            logger.LogInformation("No longer leader of {Partition} (leader {Leader}, epoch {Epoch})", change.Partition, change.State.Leader, change.State.LeaderEpoch);
            listener.OnResigned(change.Partition, change.State.LeaderEpoch);
        }
        await RestartFetchingAsync(request, [.. toFollow.Where(c => c.LeaderChanged)]).ConfigureAwait(false);

        if (version >= 5)
        {
            foreach (var topic in changes.GroupBy(c => (c.Partition.Topic, c.TopicId)))
            {
                response.Topics.Add(new LeaderAndIsrResponse.LeaderAndIsrTopicError
                {
                    TopicId = topic.Key.TopicId,
                    PartitionErrors = topic.Select(c => new LeaderAndIsrResponse.LeaderAndIsrPartitionError { PartitionIndex = c.Partition.Partition, ErrorCode = (short)c.Error }).ToList(),
                });
            }
        }
        else
        {
            response.PartitionErrors = changes.Select(c => new LeaderAndIsrResponse.LeaderAndIsrPartitionError { TopicName = c.Partition.Topic, PartitionIndex = c.Partition.Partition, ErrorCode = (short)c.Error }).ToList();
        }
        return response;
    }

    /// <summary>Makes this broker leader or follower of one partition (creating its log when missing); runs concurrently with the request's others.</summary>
    private void Apply(Change change, LogConfig config)
    {
        var state = change.State;
        if (state.Leader == brokerId)
        {
            change.Result = replicas.BecomeLeader(change.Partition, change.TopicId, config, state.LeaderEpoch, [.. state.Replicas], [.. state.Isr], state.PartitionEpoch);
        }
        else if (replicas.BecomeFollower(change.Partition, change.TopicId, config, state.Leader, state.LeaderEpoch, state.PartitionEpoch, [.. state.Replicas], [.. state.Isr]) is { } followed)
        {
            (change.Result, change.LeaderChanged) = followed;
        }
        if (change.Result is null)
        {
            change.Error = ErrorCode.KafkaStorageError;
        }
    }

    /// <summary>Followed partitions whose leader or leader epoch changed fetch again, from the new leader, at their log end.</summary>
    private async Task RestartFetchingAsync(LeaderAndIsrRequest request, IReadOnlyList<Change> changed)
    {
        if (changed.Count == 0)
        {
            return;
        }
        await fetchers.RemovePartitionsAsync([.. changed.Select(c => c.Partition)]).ConfigureAwait(false);
        var live = request.LiveLeaders.ToDictionary(l => l.BrokerId, l => new BrokerEndpoint(l.BrokerId, l.HostName, l.Port, null));
        var fetched = new List<(Partition, int, BrokerEndpoint)>();
        foreach (var change in changed.Where(c => c.State.Leader >= 0))
        {
            if ((live.GetValueOrDefault(change.State.Leader) ?? metadata.FindBroker(change.State.Leader)) is { } leader)
            {
                fetched.Add((change.Result!, change.State.LeaderEpoch, leader));
            }
            else
            {
                logger.LogWarning("Follower of {Partition}: leader {Leader} is not a live broker this broker knows; not fetching until the controller names one", change.Partition, change.State.Leader);
            }
        }
        await fetchers.AddPartitionsAsync(fetched).ConfigureAwait(false);
    }
}
