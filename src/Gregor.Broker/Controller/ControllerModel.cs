using Gregor.Protocol.Wire;

namespace Gregor.Broker.Controller;

/// <summary>
/// A registered broker as the controller knows it: its id, its epoch (the czxid of its
/// /brokers/ids node: a re-registration gives a larger one), its listeners, and its rack.
/// </summary>
public sealed record LiveBroker(int Id, long Epoch, IReadOnlyList<LiveEndpoint> Endpoints, string? Rack);

/// <summary>One listener of a broker: its name, advertised host and port, and security protocol id (0 = PLAINTEXT).</summary>
public sealed record LiveEndpoint(string Listener, string Host, int Port, short SecurityProtocol);

/// <summary>
/// A partition's leadership as stored in ZooKeeper: leader (-1: none), leader epoch (grows with
/// every election), ISR, the epoch of the controller that wrote it, and the znode's version
/// (the partition epoch, which conditional writes compare).
/// </summary>
public sealed record LeaderIsr(int Leader, int LeaderEpoch, IReadOnlyList<int> Isr, int ControllerEpoch, int PartitionEpoch)
{
    /// <summary>No leader: the partition is offline.</summary>
    public const int NoLeader = -1;

    /// <summary>The leader value UpdateMetadata carries for a partition being deleted.</summary>
    public const int LeaderDuringDelete = -2;
}

/// <summary>A topic as the controller holds it: name, id, and for each partition its replicas in preference order.</summary>
public sealed record ControlledTopic(string Name, Uuid TopicId, IReadOnlyDictionary<int, IReadOnlyList<int>> Partitions);

/// <summary>The controller's term: its epoch and the zk version of /controller_epoch that fences its writes.</summary>
public sealed record ControllerTerm(int Epoch, int EpochZkVersion);

/// <summary>A write of the controller failed its check on /controller_epoch: another broker is controller now.</summary>
public sealed class ControllerMovedException(string message) : Exception(message);
