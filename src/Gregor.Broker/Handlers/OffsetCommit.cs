using Gregor.Broker.Cluster;
using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// OffsetCommit, versions 0-9. v0 (and generation -1 with an empty member id at any version) is a
/// commit by a consumer not using group management; v1 may set each commit's timestamp; v2-4 may
/// set a retention time (the offsets then expire that long after the commit); v6+ carry the leader
/// epoch; v7+ the group.instance.id. Partitions the broker does not know get
/// UNKNOWN_TOPIC_OR_PARTITION, as in Kafka. Metadata strings over offset.metadata.max.bytes get
/// OFFSET_METADATA_TOO_LARGE. The response lists topics and partitions in request order.
/// </summary>
public sealed class OffsetCommitHandler(GroupCoordinator coordinator, IMetadataCache metadata)
    : RequestHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var known = new List<OffsetCommitEntry>();
        foreach (var topic in request.Topics)
        {
            var partitionCount = metadata.FindTopic(topic.Name)?.Partitions.Count ?? 0;
            foreach (var p in topic.Partitions)
            {
                if (p.PartitionIndex >= 0 && p.PartitionIndex < partitionCount)
                {
                    known.Add(new OffsetCommitEntry(new TopicPartitionId(topic.Name, p.PartitionIndex), p.CommittedOffset,
                        version >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata, version == 1 ? p.CommitTimestamp : -1));
                }
            }
        }
        var results = new Dictionary<TopicPartitionId, ErrorCode>();
        if (known.Count > 0)
        {
            var commit = new OffsetCommitParameters
            {
                GroupId = request.GroupId,
                GenerationId = version >= 1 ? request.GenerationIdOrMemberEpoch : -1,
                MemberId = version >= 1 ? request.MemberId : "",
                GroupInstanceId = request.GroupInstanceId,
                RetentionTimeMs = version is >= 2 and <= 4 ? request.RetentionTimeMs : -1,
                Offsets = known,
            };
            foreach (var (partition, error) in await coordinator.CommitOffsetsAsync(commit).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                results[partition] = error;
            }
        }

        var response = new OffsetCommitResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var p in topic.Partitions)
            {
                var error = results.GetValueOrDefault(new TopicPartitionId(topic.Name, p.PartitionIndex), ErrorCode.UnknownTopicOrPartition);
                topicResponse.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)error });
            }
            response.Topics.Add(topicResponse);
        }
        return response;
    }
}
