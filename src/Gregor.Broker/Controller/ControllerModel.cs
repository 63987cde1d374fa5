using Gregor.Protocol.Wire;

namespace Gregor.Broker.Controller;

/// <summary>
/// A registered broker as the controller knows it: its id, its epoch (the czxid of its
/// /brokers/ids node: a re-registration gives a larger one), its listeners, and its rack.
/// </summary>
public sealed record LiveBroker(int Id, long Epoch, IReadOnlyList<LiveEndpoint> Endpoints, string? Rack);

/// <summary>One listener of a broker: its name, advertised host and port, and security protocol id (0 = PLAINTEXT).</summary>
public sealed record LiveEndpoint(string Listener, string Host, int Port, short SecurityProtocol);

/// <summary>Leader values with a meaning of their own in the controller's requests.</summary>
public static class LeaderValues
{
    /// <summary>The leader UpdateMetadata carries for a partition being deleted (Kafka's LeaderAndIsr.LeaderDuringDelete).</summary>
    public const int LeaderDuringDelete = -2;
}

/// <summary>A topic as the controller holds it: name, id, and for each partition its replicas in preference order.</summary>
public sealed record ControlledTopic(string Name, Uuid TopicId, IReadOnlyDictionary<int, IReadOnlyList<int>> Partitions);
