using Gregor.Broker.Cluster;
using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// OffsetDelete, version 0: deletes a group's committed offsets for some partitions. Partitions of a
/// topic the group's members subscribe to get GROUP_SUBSCRIBED_TO_TOPIC; partitions the broker
/// does not know get UNKNOWN_TOPIC_OR_PARTITION, as in Kafka. A group-level error
/// (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP for a non-consumer group with members) comes with no topics.
/// Every listed partition is answered where it was listed, a repeated one each time.
/// </summary>
public sealed class OffsetDeleteHandler(GroupCoordinator coordinator, IMetadataCache metadata)
    : RequestHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        var known = new List<TopicPartitionId>();
        foreach (var topic in request.Topics)
        {
            var partitionCount = metadata.FindTopic(topic.Name)?.Partitions.Count ?? 0;
            known.AddRange(topic.Partitions.Where(p => p.PartitionIndex >= 0 && p.PartitionIndex < partitionCount)
                .Select(p => new TopicPartitionId(topic.Name, p.PartitionIndex)));
        }
        // A partition listed twice is deleted once and answered at each place it was listed.
        var (error, results) = await coordinator.DeleteOffsetsAsync(request.GroupId, known.Distinct().ToList()).WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            return response;
        }
        var byPartition = results.ToDictionary(r => r.Partition, r => r.Error);
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            foreach (var p in topic.Partitions)
            {
                var partitionError = byPartition.GetValueOrDefault(new TopicPartitionId(topic.Name, p.PartitionIndex), ErrorCode.UnknownTopicOrPartition);
                topicResponse.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)partitionError });
            }
            response.Topics.Add(topicResponse);
        }
        return response;
    }
}
