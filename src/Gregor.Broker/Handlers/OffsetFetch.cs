using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// OffsetFetch, versions 0-9. v0-7 ask for one group, v8+ for several, each with its own error.
/// A null topic list (v2+) means every partition the group has offsets for. Partitions without a
/// committed offset get offset -1, leader epoch -1, metadata "" and no error. A group-level error
/// (e.g. COORDINATOR_LOAD_IN_PROGRESS) goes in each partition for v0-1, which have no top-level
/// error, and at the top (with no topics) for v2-7. v7+ RequireStable: a partition with a commit
/// still being written gets UNSTABLE_OFFSET_COMMIT. v9's member id and epoch (KIP-848 groups) are
/// ignored: every group here is a classic group.
/// </summary>
public sealed class OffsetFetchHandler(GroupCoordinator coordinator) : RequestHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    protected override ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var response = new OffsetFetchResponse();
        if (version >= 8)
        {
            foreach (var group in request.Groups)
            {
                var partitions = group.Topics?.SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartitionId(t.Name, p))).ToList();
                var (error, offsets) = coordinator.FetchOffsets(group.GroupId, partitions, request.RequireStable);
                var groupResponse = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)error };
                foreach (var topic in offsets.GroupBy(o => o.Partition.Topic))
                {
                    var topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = topic.Key };
                    foreach (var o in topic)
                    {
                        topicResponse.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = o.Partition.Partition,
                            CommittedOffset = o.Offset,
                            CommittedLeaderEpoch = o.LeaderEpoch,
                            Metadata = o.Metadata,
                            ErrorCode = (short)o.Error,
                        });
                    }
                    groupResponse.Topics.Add(topicResponse);
                }
                response.Groups.Add(groupResponse);
            }
            return ValueTask.FromResult<OffsetFetchResponse?>(response);
        }

        var requested = request.Topics?.SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartitionId(t.Name, p))).ToList();
        var (groupError, fetched) = coordinator.FetchOffsets(request.GroupId, requested, request.RequireStable);
        if (groupError != ErrorCode.None)
        {
            if (version >= 2)
            {
                response.ErrorCode = (short)groupError;
                return ValueTask.FromResult<OffsetFetchResponse?>(response);
            }
            fetched = (requested ?? []).Select(p => new FetchedOffset(p, -1, -1, "", groupError)).ToList();
        }
        foreach (var topic in fetched.GroupBy(o => o.Partition.Topic))
        {
            var topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = topic.Key };
            foreach (var o in topic)
            {
                topicResponse.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                {
                    PartitionIndex = o.Partition.Partition,
                    CommittedOffset = o.Offset,
                    CommittedLeaderEpoch = o.LeaderEpoch,
                    Metadata = o.Metadata,
                    ErrorCode = (short)o.Error,
                });
            }
            response.Topics.Add(topicResponse);
        }
        return ValueTask.FromResult<OffsetFetchResponse?>(response);
    }
}
