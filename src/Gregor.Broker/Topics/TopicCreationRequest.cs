using Gregor.Broker.Cluster;

namespace Gregor.Broker.Topics;

/// <summary>
/// A topic to create: partitions and replication factor (-1: the broker defaults), or explicit
/// replica assignments (partition → broker ids), and config overrides.
/// </summary>
public sealed record TopicCreationRequest(
    string Name,
    int Partitions,
    short ReplicationFactor,
    IReadOnlyDictionary<int, IReadOnlyList<int>>? Assignments,
    IReadOnlyDictionary<string, string> Configs);

/// <summary>The outcome of a creation: an error with Kafka's message, or the topic as created.</summary>
public sealed record TopicCreationResult(Gregor.Protocol.Errors.ErrorCode Error, string? Message, TopicRecord? Topic)
{
    public static TopicCreationResult Failed(Gregor.Protocol.Errors.ErrorCode error, string message) => new(error, message, null);
}
