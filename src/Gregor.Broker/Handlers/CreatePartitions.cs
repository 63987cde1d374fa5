using Gregor.Broker.Admin;
using Gregor.Broker.Cluster;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// CreatePartitions, versions 0-3: grows a topic to the requested count (a smaller or equal count
/// is INVALID_PARTITIONS — partitions only grow), optionally with an explicit assignment for each
/// new partition (one per new partition, known brokers only, no duplicates, the topic's replication
/// factor: INVALID_REPLICA_ASSIGNMENT otherwise). validate_only checks without creating. A topic
/// named twice is INVALID_REQUEST for each occurrence; an unknown one UNKNOWN_TOPIC_OR_PARTITION.
/// New partitions passing <see cref="PartitionBudget"/> are POLICY_VIOLATION for every topic, before any grows.
/// Departure: creation is synchronous, so timeout_ms is not used (Kafka's ZooKeeper mode answers
/// REQUEST_TIMED_OUT for timeout 0 even though it created the partitions).
/// </summary>
public sealed class CreatePartitionsHandler(TopicManager topics, IMetadataCache metadata) : RequestHandler<CreatePartitionsRequest, CreatePartitionsResponse>
{
    protected override async ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreatePartitionsResponse();
        var deadline = new AdminDeadline(request.TimeoutMs);
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        // The whole request's new partitions are checked against the budget before any topic grows.
        var refusal = topics.Budget.RefusalForRequest(request.Topics
            .Where(t => !duplicates.Contains(t.Name))
            .Sum(t => (long)Math.Max(0, t.Count - (topics.Find(t.Name)?.Partitions ?? t.Count))));
        foreach (var topic in request.Topics)
        {
            var error = duplicates.Contains(topic.Name)
                ? new ApiError(ErrorCode.InvalidRequest, "Duplicate topic in request.")
                : refusal is not null ? new ApiError(ErrorCode.PolicyViolation, refusal)
                : await GrowAsync(topic, request.ValidateOnly, deadline.Remaining, cancellationToken).ConfigureAwait(false);
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)error.Error,
                ErrorMessage = error.Message,
            });
        }
        return response;
    }

    private async ValueTask<ApiError> GrowAsync(CreatePartitionsRequest.CreatePartitionsTopic topic, bool validateOnly, TimeSpan applyTimeout, CancellationToken cancellationToken)
    {
        if (topics.Find(topic.Name) is not { } record)
        {
            return new ApiError(ErrorCode.UnknownTopicOrPartition, $"The topic '{topic.Name}' does not exist.");
        }
        IReadOnlyList<IReadOnlyList<int>>? replicas = null;
        if (topic.Assignments is { } assignments && topic.Count > record.Partitions)
        {
            if (ValidateAssignments(assignments, topic.Count - record.Partitions, record) is { } invalid)
            {
                return invalid;
            }
            replicas = [.. assignments.Select(a => (IReadOnlyList<int>)a.BrokerIds)];
        }
        // TopicManager re-checks the count, and the store grows the topic only from the count checked,
        // so a concurrent change cannot shrink a topic.
        var (error, message) = await topics.CreatePartitionsAsync(topic.Name, topic.Count, replicas, validateOnly, applyTimeout, cancellationToken).ConfigureAwait(false);
        return new ApiError(error, message);
    }

    private ApiError? ValidateAssignments(List<CreatePartitionsRequest.CreatePartitionsAssignment> assignments, int increment, TopicRecord record)
    {
        var live = metadata.Brokers.Select(b => b.NodeId).ToHashSet();
        var unknown = assignments.SelectMany(a => a.BrokerIds).Where(id => !live.Contains(id)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            return new ApiError(ErrorCode.InvalidReplicaAssignment, $"Unknown broker(s) in replica assignment: {string.Join(", ", unknown)}.");
        }
        if (assignments.Count != increment)
        {
            return new ApiError(ErrorCode.InvalidReplicaAssignment, $"Increasing the number of partitions by {increment} but {assignments.Count} assignments provided.");
        }
        for (var i = 0; i < assignments.Count; i++)
        {
            var brokers = assignments[i].BrokerIds;
            var partition = record.Partitions + i;
            if (brokers.Count == 0)
            {
                return new ApiError(ErrorCode.InvalidReplicaAssignment, $"Cannot have replication factor of 0 for partition id {partition}.");
            }
            if (brokers.Distinct().Count() != brokers.Count)
            {
                return new ApiError(ErrorCode.InvalidReplicaAssignment, $"Duplicate brokers not allowed in replica assignment: {string.Join(", ", brokers)} for partition id {partition}.");
            }
            if (brokers.Count != record.ReplicationFactor)
            {
                return new ApiError(ErrorCode.InvalidReplicaAssignment,
                    $"Inconsistent replication factor between partitions, partition 0 has {record.ReplicationFactor} while partitions [{partition}] have replication factors [{brokers.Count}], respectively.");
            }
        }
        return null;
    }
}
