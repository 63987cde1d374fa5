using Gregor.ZooKeeper.Jute;

namespace Gregor.ZooKeeper.Protocol;

/// <summary>Request bodies (after the RequestHeader {xid, type}), in zookeeper.jute's field order.</summary>
internal static class Requests
{
    /// <summary>Every node is created with the open ACL: world:anyone with all permissions.</summary>
    private const int AllPermissions = 31;

    public static void Create(JuteWriter writer, string path, ReadOnlySpan<byte> data, CreateMode mode)
    {
        writer.WriteString(path);
        writer.WriteBuffer(data);
        writer.WriteInt(1);
        writer.WriteInt(AllPermissions);
        writer.WriteString("world");
        writer.WriteString("anyone");
        writer.WriteInt((int)mode);
    }

    public static void PathAndVersion(JuteWriter writer, string path, int version)
    {
        writer.WriteString(path);
        writer.WriteInt(version);
    }

    public static void PathAndWatch(JuteWriter writer, string path, bool watch)
    {
        writer.WriteString(path);
        writer.WriteBool(watch);
    }

    public static void SetData(JuteWriter writer, string path, ReadOnlySpan<byte> data, int version)
    {
        writer.WriteString(path);
        writer.WriteBuffer(data);
        writer.WriteInt(version);
    }

    /// <summary>
    /// A multi: each op is a MultiHeader {type, done = false, err = -1} then its request; a
    /// MultiHeader {-1, true, -1} ends the list. Paths are already server paths.
    /// </summary>
    public static void Multi(JuteWriter writer, IReadOnlyList<ZkOp> ops, Func<string, string> serverPath)
    {
        foreach (var op in ops)
        {
            var type = op switch
            {
                ZkOp.CreateOp => OpCode.Create,
                ZkOp.DeleteOp => OpCode.Delete,
                ZkOp.SetDataOp => OpCode.SetData,
                ZkOp.CheckOp => OpCode.Check,
                _ => throw new ArgumentException($"unknown op {op.GetType().Name}", nameof(ops)),
            };
            MultiHeader(writer, (int)type, done: false, err: -1);
            var path = serverPath(op.Path);
            switch (op)
            {
                case ZkOp.CreateOp create:
                    Create(writer, path, create.Data.Span, create.Mode);
                    break;
                case ZkOp.DeleteOp delete:
                    PathAndVersion(writer, path, delete.Version);
                    break;
                case ZkOp.SetDataOp setData:
                    SetData(writer, path, setData.Data.Span, setData.Version);
                    break;
                case ZkOp.CheckOp check:
                    PathAndVersion(writer, path, check.Version);
                    break;
            }
        }
        MultiHeader(writer, -1, done: true, err: -1);
    }

    /// <summary>
    /// A multiRead of getData ops: each a MultiHeader {GetData, false, -1} then GetDataRequest
    /// {path, watch = false}; a MultiHeader {-1, true, -1} ends the list. Paths are server paths.
    /// </summary>
    public static void MultiReadData(JuteWriter writer, IReadOnlyList<string> serverPaths)
    {
        foreach (var path in serverPaths)
        {
            MultiHeader(writer, (int)OpCode.GetData, done: false, err: -1);
            PathAndWatch(writer, path, watch: false);
        }
        MultiHeader(writer, -1, done: true, err: -1);
    }

    /// <summary>SetWatches {relativeZxid, dataWatches, existWatches, childWatches}.</summary>
    public static void SetWatches(JuteWriter writer, long relativeZxid, IReadOnlyCollection<string> data,
        IReadOnlyCollection<string> exist, IReadOnlyCollection<string> child)
    {
        writer.WriteLong(relativeZxid);
        writer.WriteStrings(data);
        writer.WriteStrings(exist);
        writer.WriteStrings(child);
    }

    public static void Header(JuteWriter writer, int xid, OpCode type)
    {
        writer.WriteInt(xid);
        writer.WriteInt((int)type);
    }

    private static void MultiHeader(JuteWriter writer, int type, bool done, int err)
    {
        writer.WriteInt(type);
        writer.WriteBool(done);
        writer.WriteInt(err);
    }
}
