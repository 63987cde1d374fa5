namespace Gregor.ZooKeeper;

/// <summary>The state of a client's session. Expired and Closed are final.</summary>
public enum ZooKeeperState
{
    Connecting,
    Connected,
    Disconnected,
    Expired,
    Closed,
}
