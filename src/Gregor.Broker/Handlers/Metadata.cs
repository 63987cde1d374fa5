using Gregor.Broker.Cluster;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// Metadata, versions 0-12. Brokers, cluster id, controller, and the requested topics with
/// their partitions' leaders, replicas and ISR, in request order, each with its own error code.
/// v0: an empty topic list means all topics; v1+: null means all, empty means none.
/// v10+ carries topic ids; v12 answers a request by id with that id (unknown: UNKNOWN_TOPIC_ID).
/// Topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION; auto-creation is done through
/// <see cref="ITopicAutoCreator"/> when the request allows it and the broker is configured to; the
/// request that creates a topic gets LEADER_NOT_AVAILABLE for it and the next one its partitions.
/// There are no ACLs: authorized operations, when asked for, are every operation. A cluster broker
/// that has not yet heard from the controller waits for it first (<see cref="IMetadataCache.WhenReadyAsync"/>).
/// </summary>
public sealed class MetadataHandler(IMetadataCache metadata, ITopicAutoCreator? autoCreator = null)
    : RequestHandler<MetadataRequest, MetadataResponse>
{
    /// <summary>Kafka's AclOperation codes READ(3)..ALTER_CONFIGS(11) that apply to a topic, as a bit field.</summary>
    private const int AllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

    /// <summary>CREATE(5), ALTER(7), DESCRIBE(8), CLUSTER_ACTION(9), DESCRIBE_CONFIGS(10), ALTER_CONFIGS(11), IDEMPOTENT_WRITE(12).</summary>
    private const int AllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    protected override async ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request, CancellationToken cancellationToken)
    {
        await metadata.WhenReadyAsync(cancellationToken).ConfigureAwait(false);
        var version = context.ApiVersion;
        var response = new MetadataResponse
        {
            ClusterId = metadata.ClusterId,
            ControllerId = metadata.ControllerId,
        };
        foreach (var broker in metadata.Brokers)
        {
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = broker.NodeId, Host = broker.Host, Port = broker.Port, Rack = broker.Rack });
        }
        if (version >= 8 && version <= 10 && request.IncludeClusterAuthorizedOperations)
        {
            response.ClusterAuthorizedOperations = AllClusterOperations;
        }

        var allTopics = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (allTopics)
        {
            foreach (var topic in metadata.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.Topics.Add(Describe(topic, request));
            }
            return response;
        }
        foreach (var requested in request.Topics!)
        {
            if (requested.Name is null)
            {
                var byId = metadata.FindTopic(requested.TopicId);
                response.Topics.Add(byId is null
                    ? new MetadataResponse.MetadataResponseTopic { Name = null, TopicId = requested.TopicId, ErrorCode = (short)ErrorCode.UnknownTopicId }
                    : Describe(byId, request));
                continue;
            }
            var topic = metadata.FindTopic(requested.Name);
            if (topic is null && autoCreator is not null && (version < 4 || request.AllowAutoTopicCreation))
            {
                var created = await autoCreator.TryAutoCreateAsync(requested.Name, cancellationToken).ConfigureAwait(false);
                if (created != ErrorCode.None)
                {
                    response.Topics.Add(new MetadataResponse.MetadataResponseTopic { Name = requested.Name, ErrorCode = (short)created, IsInternal = Topics.InternalTopics.IsInternal(requested.Name) });
                    continue;
                }
                topic = metadata.FindTopic(requested.Name);
            }
            response.Topics.Add(topic is null
                ? new MetadataResponse.MetadataResponseTopic { Name = requested.Name, ErrorCode = (short)ErrorCode.UnknownTopicOrPartition }
                : Describe(topic, request));
        }
        return response;
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicMetadata topic, MetadataRequest request)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.TopicId,
            IsInternal = topic.IsInternal,
        };
        if (request.IncludeTopicAuthorizedOperations)
        {
            result.TopicAuthorizedOperations = AllTopicOperations;
        }
        foreach (var partition in topic.Partitions)
        {
            result.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(partition.Leader < 0 ? ErrorCode.LeaderNotAvailable : ErrorCode.None),
                PartitionIndex = partition.Partition,
                LeaderId = partition.Leader,
                LeaderEpoch = partition.LeaderEpoch,
                ReplicaNodes = [.. partition.Replicas],
                IsrNodes = [.. partition.Isr],
            });
        }
        return result;
    }
}
