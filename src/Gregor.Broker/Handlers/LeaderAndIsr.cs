using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Handlers;

/// <summary>
/// LeaderAndIsr, versions 0-7, from the controller (ZooKeeper mode only): fenced by controller and
/// broker epoch; for each partition this broker is told to lead, the log is created when missing
/// (with the topic's config as the cluster store has it) and the partition takes the leader
/// epoch, replicas and ISR — unless the request's leader epoch is older than the one it has
/// (STALE_CONTROLLER_EPOCH for that partition, as Kafka answers). A partition it no longer leads
/// stops being served here (followers come with replication). <see cref="ILeadershipListener"/>
/// hears of both, for the coordinators that own internal partitions.
/// </summary>
public sealed class LeaderAndIsrHandler(
    int brokerId,
    ReplicaManager replicas,
    ControllerFence fence,
    Func<string, CancellationToken, ValueTask<LogConfig>> configOf,
    ILeadershipListener listener,
    ILogger<LeaderAndIsrHandler> logger) : RequestHandler<LeaderAndIsrRequest, LeaderAndIsrResponse>
{
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
        var states = version >= 2
            ? request.TopicStates.SelectMany(t => t.PartitionStates.Select(p => (Topic: t.TopicName, t.TopicId, State: p)))
            : request.UngroupedPartitionStates.Select(p => (Topic: p.TopicName, TopicId: Gregor.Protocol.Wire.Uuid.Zero, State: p));
        var results = new List<(string Topic, Gregor.Protocol.Wire.Uuid TopicId, int Partition, ErrorCode Error)>();
        foreach (var (topic, topicId, state) in states)
        {
            var tp = new TopicPartition(topic, state.PartitionIndex);
            results.Add((topic, topicId, state.PartitionIndex, await ApplyAsync(tp, topicId, state, cancellationToken).ConfigureAwait(false)));
        }
        if (version >= 5)
        {
            foreach (var topic in results.GroupBy(r => (r.Topic, r.TopicId)))
            {
                response.Topics.Add(new LeaderAndIsrResponse.LeaderAndIsrTopicError
                {
                    TopicId = topic.Key.TopicId,
                    PartitionErrors = topic.Select(r => new LeaderAndIsrResponse.LeaderAndIsrPartitionError { PartitionIndex = r.Partition, ErrorCode = (short)r.Error }).ToList(),
                });
            }
        }
        else
        {
            response.PartitionErrors = results.Select(r => new LeaderAndIsrResponse.LeaderAndIsrPartitionError { TopicName = r.Topic, PartitionIndex = r.Partition, ErrorCode = (short)r.Error }).ToList();
        }
        return response;
    }

    private async ValueTask<ErrorCode> ApplyAsync(TopicPartition tp, Gregor.Protocol.Wire.Uuid topicId, LeaderAndIsrRequest.LeaderAndIsrPartitionState state, CancellationToken cancellationToken)
    {
        var held = replicas.GetReplica(tp);
        if (held is not null && state.LeaderEpoch < held.LeaderEpoch)
        {
            logger.LogWarning("Ignoring LeaderAndIsr for {Partition}: its leader epoch {Epoch} is older than this broker's {Current}", tp, state.LeaderEpoch, held.LeaderEpoch);
            return ErrorCode.StaleControllerEpoch;
        }
        if (state.Leader != brokerId)
        {
            if (held is not null)
            {
                logger.LogInformation("No longer leader of {Partition} (leader {Leader}, epoch {Epoch})", tp, state.Leader, state.LeaderEpoch);
                replicas.StopReplica(tp, deleteLog: false);
                listener.OnResigned(tp, state.LeaderEpoch);
            }
            return ErrorCode.None;
        }
        var config = await configOf(tp.Topic, cancellationToken).ConfigureAwait(false);
        var partition = replicas.BecomeLeader(tp, topicId, config, state.LeaderEpoch, [.. state.Replicas], [.. state.Isr], state.PartitionEpoch);
        if (partition is null)
        {
            return ErrorCode.KafkaStorageError;
        }
        if (held is null)
        {
            logger.LogInformation("Leader of {Partition} with leader epoch {Epoch}", tp, state.LeaderEpoch);
        }
        listener.OnBecameLeader(tp, state.LeaderEpoch);
        return ErrorCode.None;
    }
}
