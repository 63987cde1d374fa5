namespace Gregor.ZooKeeper;

/// <summary>ZooKeeper's Stat record of a node, fields in wire order.</summary>
public sealed record ZkStat(long Czxid, long Mzxid, long Ctime, long Mtime, int Version, int Cversion,
    int Aversion, long EphemeralOwner, int DataLength, int NumChildren, long Pzxid);
