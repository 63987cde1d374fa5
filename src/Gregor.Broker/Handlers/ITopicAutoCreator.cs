using Gregor.Protocol.Errors;

namespace Gregor.Broker.Handlers;

/// <summary>Creates a topic that a client asked for by name, when auto.create.topics.enable allows it.</summary>
public interface ITopicAutoCreator
{
    /// <summary>Returns None when the topic already existed (describe it), or the error to report
    /// for it: LEADER_NOT_AVAILABLE when it was created just now (the client asks again),
    /// INVALID_TOPIC_EXCEPTION for a bad name, UNKNOWN_TOPIC_OR_PARTITION when it is not created.</summary>
    ValueTask<ErrorCode> TryAutoCreateAsync(string topic, CancellationToken cancellationToken);
}
