namespace Gregor.ZooKeeper;

/// <summary>How a node is created; the values are ZooKeeper's create flags on the wire.</summary>
public enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,
}
