using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Messages;

/// <summary>A request or response body that can be written at any version its definition covers.</summary>
public interface IKafkaMessage
{
    void Write(KafkaWriter writer, short version);
}

/// <summary>A generated request or response type, with its API key and version range.</summary>
public interface IKafkaMessage<TSelf> : IKafkaMessage
    where TSelf : IKafkaMessage<TSelf>
{
    static abstract short ApiKey { get; }

    static abstract short LowestVersion { get; }

    static abstract short HighestVersion { get; }

    static abstract bool IsFlexibleVersion(short version);

    static abstract TSelf Read(ref KafkaReader reader, short version);
}
