using Gregor.Protocol.Errors;

namespace Gregor.Broker.Handlers;

/// <summary>Creates a topic that a client asked for by name, when auto.create.topics.enable allows it.</summary>
public interface ITopicAutoCreator
{
    /// <summary>Returns None when the topic exists afterwards, or the error to report for it
    /// (e.g. INVALID_TOPIC_EXCEPTION, or UNKNOWN_TOPIC_OR_PARTITION when auto-creation is off).</summary>
    ValueTask<ErrorCode> TryAutoCreateAsync(string topic, CancellationToken cancellationToken);
}
