using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// ListOffsets, versions 0-10: earliest (-2: the log start offset), latest (-1: the high watermark,
/// what a consumer can read), max timestamp (-3: the record with the largest timestamp), or the
/// first offset whose timestamp is at or after a given time, found through the time index
/// (offset and timestamp -1 when every record is older). Without tiered storage, earliest local
/// (-4, KIP-405) is the log start offset and latest tiered (-5, KIP-1005) is none: offset and
/// leader epoch -1, as Kafka answers when remote storage is off. v0 answers in its old layout, a list of
/// at most max_num_offsets offsets. The leader epoch (v4+) is the partition's.
/// </summary>
public sealed class ListOffsetsHandler(ReplicaManager replicas, IMetadataCache metadata) : RequestHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    private const long Latest = -1;
    private const long EarliestLocal = -4;
    private const long LatestTiered = -5;

    protected override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var requested in topic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = requested.PartitionIndex };
                topicResponse.Partitions.Add(result);
                var partition = replicas.GetPartition(topic.Name, requested.PartitionIndex);
                if (partition is null)
                {
                    result.ErrorCode = (short)MissingPartition.ErrorFor(metadata, topic.Name, requested.PartitionIndex);
                    continue;
                }
                if (partition.IsOffline)
                {
                    result.ErrorCode = (short)ErrorCode.KafkaStorageError;
                    continue;
                }
                var (offset, timestamp) = requested.Timestamp switch
                {
                    Latest => (partition.HighWatermark, -1L),
                    EarliestLocal => (partition.LogStartOffset, -1L),
                    LatestTiered => (-1L, -1L),
                    _ => partition.FetchOffsetForTimestamp(requested.Timestamp) ?? (-1L, -1L),
                };
                if (context.ApiVersion == 0)
                {
                    result.OldStyleOffsets = offset >= 0 && requested.MaxNumOffsets > 0 ? [offset] : [];
                    continue;
                }
                result.Offset = offset;
                result.Timestamp = timestamp;
                result.LeaderEpoch = requested.Timestamp == LatestTiered ? -1 : partition.LeaderEpoch;
            }
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }
}
