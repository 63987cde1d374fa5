namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// A controller write failed its <c>check(/controller_epoch, version)</c>: another broker has been elected since,
/// so this broker is not the controller any more and must resign without retrying.
/// </summary>
public sealed class ControllerMovedException(string message) : Exception(message);

/// <summary>/brokers/ids/&lt;id&gt; is held by another live ZooKeeper session: two brokers were given the same broker.id.</summary>
public sealed class BrokerIdInUseException(int brokerId, long ownerSessionId)
    : Exception($"broker.id {brokerId} is already registered at {ZkPaths.Broker(brokerId)} by another live ZooKeeper session 0x{ownerSessionId:x}; every broker needs its own broker.id")
{
    public int BrokerId { get; } = brokerId;
}
