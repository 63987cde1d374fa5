using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;

namespace Gregor.Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (API key 23), versions 0-4: per partition, the largest leader epoch at or
/// below the requested one that the log holds and the offset where the epoch after it starts (the
/// log end for the latest); epoch and offset -1 when the log holds none (see
/// <see cref="Partition.EndOffsetForEpoch"/>). Clients use it after a leader change to find where
/// their log diverged, followers before fetching. current_leader_epoch (v2+; -1 not checked) is
/// checked first: FENCED_LEADER_EPOCH when older than the partition's, UNKNOWN_LEADER_EPOCH when
/// newer. Served only by the leader (NOT_LEADER_OR_FOLLOWER elsewhere), except for replica id -2
/// (a debugging client, and every request below v3, which has no replica id), which any replica
/// holding the partition answers, as Kafka does. A partition the cluster does not have is
/// UNKNOWN_TOPIC_OR_PARTITION; one whose log dir is offline KAFKA_STORAGE_ERROR.
/// </summary>
public sealed class OffsetForLeaderEpochHandler(ReplicaManager replicas, IMetadataCache metadata)
    : RequestHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>
{
    private const int DebuggingReplicaId = -2;

    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request, CancellationToken cancellationToken)
    {
        var response = new OffsetForLeaderEpochResponse();
        var leaderOnly = context.ApiVersion >= 3 && request.ReplicaId != DebuggingReplicaId;
        foreach (var topic in request.Topics)
        {
            var topicResult = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(topicResult);
            foreach (var requested in topic.Partitions)
            {
                topicResult.Partitions.Add(Answer(topic.Topic, requested, leaderOnly));
            }
        }
        return ValueTask.FromResult<OffsetForLeaderEpochResponse?>(response);
    }

    private OffsetForLeaderEpochResponse.EpochEndOffset Answer(string topic, OffsetForLeaderEpochRequest.OffsetForLeaderPartition requested, bool leaderOnly)
    {
        var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = requested.Partition };
        var partition = replicas.GetReplica(new TopicPartition(topic, requested.Partition));
        if (partition is null)
        {
            result.ErrorCode = (short)MissingPartition.ErrorFor(metadata, topic, requested.Partition);
            return result;
        }
        if (FetchHandler.EpochError(requested.CurrentLeaderEpoch, partition.LeaderEpoch) is { } fenced)
        {
            result.ErrorCode = (short)fenced;
            return result;
        }
        if (leaderOnly && !partition.IsLeader)
        {
            result.ErrorCode = (short)ErrorCode.NotLeaderOrFollower;
            return result;
        }
        if (partition.IsOffline)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            return result;
        }
        var (epoch, endOffset) = partition.EndOffsetForEpoch(requested.LeaderEpoch);
        result.LeaderEpoch = epoch;
        result.EndOffset = endOffset;
        return result;
    }
}
