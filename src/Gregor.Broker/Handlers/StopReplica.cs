using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Broker.Replication;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Handlers;

/// <summary>
/// StopReplica, versions 0-4, from the controller (ZooKeeper mode only): fenced by controller and
/// broker epoch; each partition is first taken from the replica fetchers (nothing fetched lands
/// after it stops), then stops being served here, and with delete its log directory goes
/// (topic deletion). A partition this broker does not hold is answered as done, so a repeated
/// request (the controller retries) completes.
/// </summary>
public sealed class StopReplicaHandler(ReplicaManager replicas, ReplicaFetcherManager fetchers, ControllerFence fence, ILeadershipListener listener, ILogger<StopReplicaHandler> logger)
    : RequestHandler<StopReplicaRequest, StopReplicaResponse>
{
    protected override async ValueTask<StopReplicaResponse?> HandleAsync(RequestContext context, StopReplicaRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var error = fence.Check(request.ControllerEpoch, request.BrokerEpoch);
        var response = new StopReplicaResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            logger.LogWarning("Refused StopReplica from controller {Controller} with epoch {Epoch}: {Error}", request.ControllerId, request.ControllerEpoch, error);
            return response;
        }
        IReadOnlyList<(TopicPartition Partition, bool Delete)> partitions = (version switch
        {
            0 => request.UngroupedPartitions.Select(p => (new TopicPartition(p.TopicName, p.PartitionIndex), request.DeletePartitions)),
            <= 2 => request.Topics.SelectMany(t => t.PartitionIndexes.Select(p => (new TopicPartition(t.Name, p), request.DeletePartitions))),
            _ => request.TopicStates.SelectMany(t => t.PartitionStates.Select(p => (new TopicPartition(t.TopicName, p.PartitionIndex), p.DeletePartition))),
        }).ToList();
        await fetchers.RemovePartitionsAsync([.. partitions.Select(p => p.Partition)]).ConfigureAwait(false);
        foreach (var (partition, delete) in partitions)
        {
            var result = ErrorCode.None;
            try
            {
                replicas.StopReplica(partition, delete);
                listener.OnResigned(partition, null);
                if (delete)
                {
                    logger.LogInformation("Deleted replica {Partition}", partition);
                }
            }
            catch (IOException e)
            {
                logger.LogError("Could not delete the log of {Partition}: {Error}", partition, e.Message);
                result = ErrorCode.KafkaStorageError;
            }
            response.PartitionErrors.Add(new StopReplicaResponse.StopReplicaPartitionError { TopicName = partition.Topic, PartitionIndex = partition.Partition, ErrorCode = (short)result });
        }
        return response;
    }
}
