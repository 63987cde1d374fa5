using Gregor.Broker.Cluster;
using Gregor.Broker.Config;
using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DeleteTopics, versions 0-6: by name (v0-5) or by name or id (v6). The partitions' directories
/// are removed. Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID;
/// delete.topic.enable=false answers TOPIC_DELETION_DISABLED. The group coordinator, when given,
/// then forgets the deleted topics' committed offsets (Kafka does this on StopReplica with delete).
/// </summary>
public sealed class DeleteTopicsHandler(TopicManager topics, IMetadataCache metadata, BrokerConfig broker, GroupCoordinator? groups = null)
    : RequestHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    protected override async ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteTopicsResponse();
        var deadline = new AdminDeadline(request.TimeoutMs);
        var targets = context.ApiVersion >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId))
            : request.TopicNames.Select(n => ((string?)n, Protocol.Wire.Uuid.Zero));
        foreach (var (name, id) in targets)
        {
            var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = id };
            response.Responses.Add(result);
            var resolved = name ?? metadata.FindTopic(id)?.Name;
            if (resolved is null)
            {
                result.ErrorCode = (short)ErrorCode.UnknownTopicId;
                continue;
            }
            result.Name = resolved;
            result.TopicId = metadata.FindTopic(resolved)?.TopicId ?? id;
            if (!broker.DeleteTopicEnable)
            {
                result.ErrorCode = (short)ErrorCode.TopicDeletionDisabled;
                continue;
            }
            var error = await topics.DeleteAsync(resolved, deadline.Remaining, cancellationToken).ConfigureAwait(false);
            result.ErrorCode = (short)error;
            if (error == ErrorCode.UnknownTopicOrPartition)
            {
                result.ErrorMessage = "This server does not host this topic-partition.";
            }
        }
        var deleted = response.Responses.Where(r => r.ErrorCode == 0 && r.Name is not null).Select(r => r.Name!).ToList();
        if (groups is not null && deleted.Count > 0)
        {
            await groups.OnTopicsDeletedAsync(deleted).ConfigureAwait(false);
        }
        return response;
    }
}
