namespace Gregor.ZooKeeper;

/// <summary>One operation of a <see cref="ZooKeeperClient.MultiAsync"/> transaction.</summary>
public abstract record ZkOp(string Path)
{
    public static ZkOp Create(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent) =>
        new CreateOp(path, data, mode);

    public static ZkOp Delete(string path, int version = -1) => new DeleteOp(path, version);

    public static ZkOp SetData(string path, ReadOnlyMemory<byte> data, int version = -1) => new SetDataOp(path, data, version);

    public static ZkOp Check(string path, int version) => new CheckOp(path, version);

    /// <summary>About the bytes the op takes in a multi request (path, data, ACL, header), for sizing batches.</summary>
    public virtual int RequestSize => Path.Length + 16;

    internal sealed record CreateOp(string Path, ReadOnlyMemory<byte> Data, CreateMode Mode) : ZkOp(Path)
    {
        public override int RequestSize => base.RequestSize + Data.Length + 32;
    }

    internal sealed record DeleteOp(string Path, int Version) : ZkOp(Path);

    internal sealed record SetDataOp(string Path, ReadOnlyMemory<byte> Data, int Version) : ZkOp(Path)
    {
        public override int RequestSize => base.RequestSize + Data.Length;
    }

    internal sealed record CheckOp(string Path, int Version) : ZkOp(Path);
}

/// <summary>
/// The result of one op of a multi: the created path (without the chroot) for a create, the new
/// stat for a setData. When the multi failed every result carries an error: Ok for the ops before
/// the failing one, its error for it, RuntimeInconsistency for the ops after it.
/// </summary>
public sealed record ZkOpResult(ZkErrorCode Error, string? CreatedPath, ZkStat? Stat);

/// <summary>One getData of <see cref="ZooKeeperClient.GetDataManyAsync"/>: the data and stat, or the error (NoNode) with neither.</summary>
public sealed record ZkDataResult(ZkErrorCode Error, byte[]? Data, ZkStat? Stat);
