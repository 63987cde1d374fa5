using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DeleteRecords, versions 0-2: moves each partition's log start offset (its low watermark) up to
/// the given offset; -1 means the high watermark. An offset beyond the high watermark, or another
/// negative one, is OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks "delete" is
/// POLICY_VIOLATION; an internal topic INVALID_TOPIC_EXCEPTION (its records are the broker's
/// state, as in Kafka); an unknown partition UNKNOWN_TOPIC_OR_PARTITION. Failed partitions answer
/// low watermark -1. Segments wholly below the new start go at the next retention pass, as in Kafka.
/// With a single replica the deletion is complete at once, so timeout_ms is not used.
/// </summary>
public sealed class DeleteRecordsHandler(ReplicaManager replicas) : RequestHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    /// <summary>The offset that stands for the high watermark in a request.</summary>
    private const long HighWatermarkOffset = -1;

    /// <summary>What Kafka answers as the low watermark of a partition whose deletion failed.</summary>
    private const long InvalidLowWatermark = -1;

    protected override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var partition in topic.Partitions)
            {
                var (error, lowWatermark) = Delete(topic.Name, partition.PartitionIndex, partition.Offset);
                topicResult.Partitions.Add(new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)error,
                    LowWatermark = lowWatermark,
                });
            }
        }
        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }

    private (ErrorCode Error, long LowWatermark) Delete(string topic, int partitionIndex, long offset)
    {
        if (InternalTopics.IsInternal(topic))
        {
            return (ErrorCode.InvalidTopicException, InvalidLowWatermark);
        }
        if (replicas.GetPartition(topic, partitionIndex) is not { } partition)
        {
            return (ErrorCode.UnknownTopicOrPartition, InvalidLowWatermark);
        }
        if (!partition.Config.Delete)
        {
            return (ErrorCode.PolicyViolation, InvalidLowWatermark);
        }
        var target = offset == HighWatermarkOffset ? partition.HighWatermark : offset;
        try
        {
            return (ErrorCode.None, partition.DeleteRecordsBefore(target));
        }
        catch (OffsetOutOfRangeException)
        {
            return (ErrorCode.OffsetOutOfRange, InvalidLowWatermark);
        }
    }
}
