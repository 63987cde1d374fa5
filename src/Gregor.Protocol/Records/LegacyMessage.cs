using System.Buffers;
using System.Buffers.Binary;

namespace Gregor.Protocol.Records;

/// <summary>
/// Legacy message format (magic 0 and 1), one entry of a message set:
/// <code>
/// offset int64 | messageSize int32 (bytes after this field) | crc uint32 (CRC-32 IEEE of magic..end)
/// | magic int8 | attributes int8 (bits 0-2 codec, bit 3 timestamp type in v1)
/// | [timestamp int64, v1 only] | keyLength int32 (-1 = null) | key | valueLength int32 (-1 = null) | value
/// </code>
/// A compressed message is a wrapper whose value is a compressed message set of inner messages.
/// Inner offsets are absolute in v0; in v1 they are relative and the wrapper carries the
/// absolute offset of the last inner message.
/// </summary>
public static class LegacyMessage
{
    public const int OffsetOffset = 0;
    public const int SizeOffset = 8;
    public const int CrcOffset = 12;
    public const int MagicOffset = 16;
    public const int AttributesOffset = 17;
    public const int V0HeaderSize = 18;
    public const int V1HeaderSize = 26;

    /// <summary>Smallest v0 message: header + two null lengths.</summary>
    public const int MinV0Size = V0HeaderSize + 8;

    public static int HeaderSize(byte magic) => magic == 0 ? V0HeaderSize : V1HeaderSize;

    /// <summary>Appends one message to <paramref name="output"/> and returns its size.</summary>
    public static int Write(IBufferWriter<byte> output, long offset, byte magic, byte attributes, long timestamp,
        ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull)
    {
        var size = HeaderSize(magic) + 4 + (keyIsNull ? 0 : key.Length) + 4 + (valueIsNull ? 0 : value.Length);
        var span = output.GetSpan(size)[..size];
        BinaryPrimitives.WriteInt64BigEndian(span, offset);
        BinaryPrimitives.WriteInt32BigEndian(span[SizeOffset..], size - 12);
        span[MagicOffset] = magic;
        span[AttributesOffset] = attributes;
        var p = V0HeaderSize;
        if (magic >= 1)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[p..], timestamp);
            p += 8;
        }
        BinaryPrimitives.WriteInt32BigEndian(span[p..], keyIsNull ? -1 : key.Length);
        p += 4;
        if (!keyIsNull)
        {
            key.CopyTo(span[p..]);
            p += key.Length;
        }
        BinaryPrimitives.WriteInt32BigEndian(span[p..], valueIsNull ? -1 : value.Length);
        p += 4;
        if (!valueIsNull)
        {
            value.CopyTo(span[p..]);
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[CrcOffset..], Crc32Ieee.Compute(span[MagicOffset..]));
        output.Advance(size);
        return size;
    }
}
