using Gregor.Broker.Config;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// CreateTopics, versions 0-7: partitions and replication factor (-1 takes num.partitions /
/// default.replication.factor), or explicit replica assignments; config overrides validated as
/// Kafka validates them (INVALID_CONFIG); a replication factor above the live brokers is
/// INVALID_REPLICATION_FACTOR; names checked by Kafka's rules (INVALID_TOPIC_EXCEPTION);
/// validate_only checks without creating. v5+ returns the topic's partitions, replication factor and
/// configs, v7+ its id. A name repeated in one request is INVALID_REQUEST for each occurrence, and
/// so is a reserved name (<see cref="InternalTopics"/>): Kafka refuses __cluster_metadata so; Gregor
/// refuses the internal topics too, which only their coordinator creates with their own settings.
/// A partition assigned twice is INVALID_REPLICA_ASSIGNMENT.
/// A request whose partitions pass <see cref="PartitionBudget"/> (more than 10,000, or more than the
/// open-files limit leaves room for) is POLICY_VIOLATION for every topic, and nothing is created.
/// </summary>
public sealed class CreateTopicsHandler(TopicManager topics, BrokerConfig broker) : RequestHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    protected override async ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreateTopicsResponse();
        var deadline = new AdminDeadline(request.timeoutMs);
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        // The whole request's partitions are checked against the budget before any topic is created.
        var refusal = topics.Budget.RefusalForRequest(request.Topics
            .Where(t => !duplicates.Contains(t.Name))
            .Sum(t => (long)Math.Max(0, t.Assignments.Count > 0 ? t.Assignments.Count : t.NumPartitions == -1 ? broker.NumPartitions : t.NumPartitions)));
        foreach (var topic in request.Topics)
        {
            var result = new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            if (duplicates.Contains(topic.Name))
            {
                Fail(result, ErrorCode.InvalidRequest, $"Create topics request from client contains multiple entries for topic {topic.Name}");
                continue;
            }
            if (InternalTopics.IsReserved(topic.Name))
            {
                Fail(result, ErrorCode.InvalidRequest, $"Creation of internal topic {topic.Name} is prohibited.");
                continue;
            }
            if (refusal is not null)
            {
                Fail(result, ErrorCode.PolicyViolation, refusal);
                continue;
            }
            var configs = new Dictionary<string, string>();
            foreach (var config in topic.Configs)
            {
                if (config.Value is not null)
                {
                    configs[config.Name] = config.Value;
                }
            }
            if (topic.Assignments.GroupBy(a => a.PartitionIndex).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                Fail(result, ErrorCode.InvalidReplicaAssignment, $"Partition {repeated.Key} is assigned more than once");
                continue;
            }
            var assignments = topic.Assignments.Count == 0
                ? null
                : topic.Assignments.ToDictionary(a => a.PartitionIndex, a => (IReadOnlyList<int>)a.BrokerIds);
            var created = await topics.CreateAsync(new TopicCreationRequest(topic.Name, topic.NumPartitions, topic.ReplicationFactor, assignments, configs), request.validateOnly, deadline.Remaining, cancellationToken).ConfigureAwait(false);
            if (created.Error != ErrorCode.None || created.Topic is null)
            {
                Fail(result, created.Error, created.Message);
                continue;
            }
            result.TopicId = created.Topic.TopicId;
            result.NumPartitions = created.Topic.Partitions;
            result.ReplicationFactor = created.Topic.ReplicationFactor;
            result.Configs = TopicConfigDefinitions.Describe(broker, created.Topic.Configs)
                .Select(c => new CreateTopicsResponse.CreatableTopicConfigs
                {
                    Name = c.Name,
                    Value = c.IsSensitive ? null : c.Value,
                    ReadOnly = c.ReadOnly,
                    ConfigSource = (sbyte)c.Source,
                    IsSensitive = c.IsSensitive,
                })
                .ToList();
        }
        return response;
    }

    private static void Fail(CreateTopicsResponse.CreatableTopicResult result, ErrorCode error, string? message)
    {
        result.ErrorCode = (short)error;
        result.ErrorMessage = message;
        result.Configs = null;
    }
}
