using System.Buffers.Binary;
using System.Text;

namespace Gregor.ZooKeeper.Jute;

/// <summary>Reads jute's binary encoding (see <see cref="JuteWriter"/>); a short or malformed input throws <see cref="InvalidDataException"/>.</summary>
internal sealed class JuteReader(ReadOnlyMemory<byte> data)
{
    private int _offset;

    public int Remaining => data.Length - _offset;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public bool ReadBool() => Take(1)[0] != 0;

    /// <summary>A buffer; null (-1 length) reads as empty.</summary>
    public byte[] ReadBuffer()
    {
        var length = ReadInt();
        return length < 0 ? [] : Take(length).ToArray();
    }

    public string? ReadString()
    {
        var length = ReadInt();
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    public List<string> ReadStrings()
    {
        var count = ReadInt();
        if (count < 0)
        {
            return [];
        }
        if (count > Remaining / 4)
        {
            throw new InvalidDataException($"vector of {count} strings in {Remaining} bytes");
        }
        var values = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            values.Add(ReadString() ?? "");
        }
        return values;
    }

    public ZkStat ReadStat() => new(
        Czxid: ReadLong(), Mzxid: ReadLong(), Ctime: ReadLong(), Mtime: ReadLong(),
        Version: ReadInt(), Cversion: ReadInt(), Aversion: ReadInt(), EphemeralOwner: ReadLong(),
        DataLength: ReadInt(), NumChildren: ReadInt(), Pzxid: ReadLong());

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new InvalidDataException($"record needs {count} more bytes, {Remaining} left");
        }
        var span = data.Span.Slice(_offset, count);
        _offset += count;
        return span;
    }
}
