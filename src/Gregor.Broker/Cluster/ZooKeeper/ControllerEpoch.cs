namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The controller epoch this broker won and /controller_epoch's zk version after its write: every controller write
/// checks that version, so writes of a deposed controller fail.
/// </summary>
public sealed record ControllerEpoch(int Epoch, int ZkVersion);
