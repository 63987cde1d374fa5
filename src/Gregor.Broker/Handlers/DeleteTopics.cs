using Gregor.Broker.Cluster;
using Gregor.Broker.Config;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DeleteTopics, versions 0-6: by name (v0-5) or by name or id (v6). The partitions' directories
/// are removed. Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID;
/// delete.topic.enable=false answers TOPIC_DELETION_DISABLED.
/// </summary>
public sealed class DeleteTopicsHandler(TopicManager topics, IMetadataStore metadata, BrokerConfig broker)
    : RequestHandler<DeleteTopicsRequest, DeleteTopicsResponse>
{
    protected override ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteTopicsResponse();
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
            var error = topics.Delete(resolved);
            result.ErrorCode = (short)error;
            if (error == ErrorCode.UnknownTopicOrPartition)
            {
                result.ErrorMessage = "This server does not host this topic-partition.";
            }
        }
        return ValueTask.FromResult<DeleteTopicsResponse?>(response);
    }
}
