using System.Text;

namespace Gregor.Protocol.Tests.Support;

/// <summary>
/// A tiny big-endian byte builder for expected encodings, written independently of
/// <c>KafkaWriter</c> so that golden tests do not check the code under test against itself.
/// </summary>
public sealed class ByteBuilder
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public ByteBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public ByteBuilder Int8(sbyte value) => Raw((byte)value);

    public ByteBuilder Bool(bool value) => Raw(value ? (byte)1 : (byte)0);

    public ByteBuilder Int16(short value) => Raw((byte)(value >> 8), (byte)value);

    public ByteBuilder Int32(int value) => Raw((byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value);

    public ByteBuilder Int64(long value) => Int32((int)(value >> 32)).Int32((int)value);

    public ByteBuilder Uuid(long most, long least) => Int64(most).Int64(least);

    /// <summary>Unsigned LEB128-style varint: seven bits per byte, low bits first, high bit = more.</summary>
    public ByteBuilder UnsignedVarInt(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.Add((byte)value);
        return this;
    }

    /// <summary>Non-flexible string: int16 length (-1 for null), then UTF-8.</summary>
    public ByteBuilder String(string? value)
    {
        if (value is null)
        {
            return Int16(-1);
        }
        var utf8 = Encoding.UTF8.GetBytes(value);
        return Int16((short)utf8.Length).Raw(utf8);
    }

    /// <summary>Flexible (compact) string: unsigned varint length+1 (0 for null), then UTF-8.</summary>
    public ByteBuilder CompactString(string? value)
    {
        if (value is null)
        {
            return UnsignedVarInt(0);
        }
        var utf8 = Encoding.UTF8.GetBytes(value);
        return UnsignedVarInt((ulong)utf8.Length + 1).Raw(utf8);
    }

    /// <summary>Non-flexible bytes: int32 length (-1 for null), then the bytes.</summary>
    public ByteBuilder Bytes(byte[]? value) => value is null ? Int32(-1) : Int32(value.Length).Raw(value);

    /// <summary>Flexible (compact) bytes: unsigned varint length+1 (0 for null), then the bytes.</summary>
    public ByteBuilder CompactBytes(byte[]? value) => value is null ? UnsignedVarInt(0) : UnsignedVarInt((ulong)value.Length + 1).Raw(value);

    /// <summary>Non-flexible array count: int32 (-1 for null).</summary>
    public ByteBuilder ArrayCount(int count) => Int32(count);

    /// <summary>Flexible (compact) array count: unsigned varint count+1 (0 for null).</summary>
    public ByteBuilder CompactArrayCount(int count) => UnsignedVarInt((ulong)(count + 1));

    /// <summary>An empty tagged-field section.</summary>
    public ByteBuilder NoTaggedFields() => UnsignedVarInt(0);

    /// <summary>One tagged field: tag, size, then the field's bytes.</summary>
    public ByteBuilder TaggedField(int tag, byte[] value) => UnsignedVarInt((ulong)tag).UnsignedVarInt((ulong)value.Length).Raw(value);
}
