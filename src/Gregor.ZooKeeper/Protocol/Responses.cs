using Gregor.ZooKeeper.Jute;

namespace Gregor.ZooKeeper.Protocol;

/// <summary>ReplyHeader {xid, zxid, err}, in front of every frame the server sends after the handshake.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, ZkErrorCode Err)
{
    public static ReplyHeader Read(JuteReader reader) => new(reader.ReadInt(), reader.ReadLong(), (ZkErrorCode)reader.ReadInt());
}

/// <summary>Response bodies that need more than one field read.</summary>
internal static class Responses
{
    /// <summary>
    /// A multi reply: MultiHeader {type, done, err} then the op's result, until a header with done
    /// set. A failed op (type -1) carries ErrorResponse {err}; create carries the created path,
    /// setData a Stat, delete and check nothing.
    /// </summary>
    public static List<ZkOpResult> Multi(JuteReader reader, Func<string, string> clientPath)
    {
        var results = new List<ZkOpResult>();
        while (true)
        {
            var type = reader.ReadInt();
            var done = reader.ReadBool();
            var err = (ZkErrorCode)reader.ReadInt();
            if (done)
            {
                return results;
            }
            switch ((OpCode)type)
            {
                case OpCode.Error:
                    results.Add(new ZkOpResult((ZkErrorCode)reader.ReadInt(), null, null));
                    break;
                case OpCode.Create:
                    results.Add(new ZkOpResult(err, clientPath(reader.ReadString() ?? ""), null));
                    break;
                case OpCode.Create2:
                    var path = clientPath(reader.ReadString() ?? "");
                    results.Add(new ZkOpResult(err, path, reader.ReadStat()));
                    break;
                case OpCode.SetData:
                    results.Add(new ZkOpResult(err, null, reader.ReadStat()));
                    break;
                case OpCode.Delete:
                case OpCode.Check:
                    results.Add(new ZkOpResult(err, null, null));
                    break;
                default:
                    throw new InvalidDataException($"multi result of unknown type {type}");
            }
        }
    }

    /// <summary>
    /// A multiRead reply of getData ops: per op a MultiHeader {type, done, err} then GetDataResponse
    /// {data, stat}, or for an op that failed (type -1) ErrorResponse {err}; a header with done set
    /// ends it. Each op fails or succeeds on its own.
    /// </summary>
    public static List<ZkDataResult> MultiReadData(JuteReader reader)
    {
        var results = new List<ZkDataResult>();
        while (true)
        {
            var type = reader.ReadInt();
            var done = reader.ReadBool();
            reader.ReadInt();
            if (done)
            {
                return results;
            }
            switch ((OpCode)type)
            {
                case OpCode.Error:
                    results.Add(new ZkDataResult((ZkErrorCode)reader.ReadInt(), null, null));
                    break;
                case OpCode.GetData:
                    var data = reader.ReadBuffer();
                    results.Add(new ZkDataResult(ZkErrorCode.Ok, data, reader.ReadStat()));
                    break;
                default:
                    throw new InvalidDataException($"multiRead result of unexpected type {type}");
            }
        }
    }
}
