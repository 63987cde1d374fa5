using System.Buffers.Binary;
using System.Text;

namespace Gregor.Protocol.Wire;

/// <summary>
/// Reads Kafka's primitive types from a buffer, big-endian, advancing a position.
/// Invariant: every length or count read from the input is checked against the bytes that
/// remain before anything is allocated for it, so a hostile length can never make the reader
/// allocate more than the input holds. Every failure is a <see cref="ProtocolException"/>.
/// Byte and record fields are returned as slices of the input (no copy); they stay valid as
/// long as the buffer the reader was made over.
/// </summary>
public ref struct KafkaReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _memory = buffer;
        _span = buffer.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly bool IsAtEnd => _position == _span.Length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _span.Length - _position)
        {
            throw new ProtocolException($"need {count} bytes at position {_position}, only {_span.Length - _position} remain");
        }
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private ReadOnlyMemory<byte> TakeMemory(int count)
    {
        var start = _position;
        Take(count);
        return _memory.Slice(start, count);
    }

    public void Skip(int count) => Take(count);

    /// <summary>A reader over the next <paramref name="count"/> bytes, which this reader skips.</summary>
    public KafkaReader ReadSubReader(int count) => new(TakeMemory(count));

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public Uuid ReadUuid() => Uuid.ReadFrom(Take(16));

    public uint ReadUnsignedVarInt()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            if (shift == 28 && b > 0x0f)
            {
                throw new ProtocolException($"unsigned varint too long at position {_position - 1}");
            }
            value |= (uint)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new ProtocolException($"unsigned varint too long at position {_position}");
    }

    public ulong ReadUnsignedVarLong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            if (shift == 63 && b > 0x01)
            {
                throw new ProtocolException($"unsigned varlong too long at position {_position - 1}");
            }
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new ProtocolException($"unsigned varlong too long at position {_position}");
    }

    /// <summary>Zig-zag encoded signed 32-bit varint.</summary>
    public int ReadVarInt()
    {
        var raw = ReadUnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>Zig-zag encoded signed 64-bit varint.</summary>
    public long ReadVarLong()
    {
        var raw = ReadUnsignedVarLong();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    /// <summary>An unsigned varint that must fit a non-negative int (tags, sizes).</summary>
    public int ReadUnsignedVarIntAsInt32()
    {
        var value = ReadUnsignedVarInt();
        if (value > int.MaxValue)
        {
            throw new ProtocolException($"unsigned varint {value} out of range at position {_position}");
        }
        return (int)value;
    }

    /// <summary>
    /// Reads a length prefix: int16 (non-flexible strings), int32 (non-flexible bytes/arrays),
    /// or unsigned varint holding length+1 (flexible). Returns -1 for null. A length greater
    /// than the bytes remaining is an error.
    /// </summary>
    private int ReadLength(LengthKind kind, bool flexible)
    {
        int length;
        if (flexible)
        {
            var raw = ReadUnsignedVarInt();
            length = raw == 0 ? -1 : raw - 1 > int.MaxValue ? throw new ProtocolException($"length {raw - 1} out of range") : (int)(raw - 1);
        }
        else
        {
            length = kind == LengthKind.Int16 ? ReadInt16() : ReadInt32();
            if (length < -1)
            {
                throw new ProtocolException($"negative length {length} at position {_position}");
            }
        }
        if (length > Remaining)
        {
            throw new ProtocolException($"length {length} exceeds the {Remaining} bytes remaining at position {_position}");
        }
        return length;
    }

    private enum LengthKind
    {
        Int16,
        Int32,
    }

    /// <summary>
    /// A string is at most 32767 bytes in every version, as Kafka's own readers require: a compact
    /// string's varint could say more, but a name that long could never be written back in a
    /// non-flexible version's int16 length (nor read by Kafka's clients), so it is refused here,
    /// before anything is created from it.
    /// </summary>
    public const int MaxStringBytes = short.MaxValue;

    public string? ReadNullableString(bool flexible)
    {
        var length = ReadLength(LengthKind.Int16, flexible);
        if (length < 0)
        {
            return null;
        }
        if (length > MaxStringBytes)
        {
            throw new ProtocolException($"string of {length} bytes at position {_position} is longer than the {MaxStringBytes} bytes a string may hold");
        }
        var bytes = Take(length);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolException($"invalid UTF-8 in string at position {_position - length}");
        }
    }

    public string ReadString(bool flexible) =>
        ReadNullableString(flexible) ?? throw new ProtocolException($"null where a non-nullable string is required at position {_position}");

    public ReadOnlyMemory<byte>? ReadNullableBytes(bool flexible)
    {
        var length = ReadLength(LengthKind.Int32, flexible);
        if (length < 0)
        {
            // Not "length < 0 ? null : TakeMemory(length)": there C# converts the null through
            // byte[] into an empty, non-null ReadOnlyMemory.
            return null;
        }
        return TakeMemory(length);
    }

    public ReadOnlyMemory<byte> ReadBytes(bool flexible) =>
        ReadNullableBytes(flexible) ?? throw new ProtocolException($"null where non-nullable bytes are required at position {_position}");

    /// <summary>
    /// Reads an array count; -1 means null. A count larger than the bytes remaining is an error
    /// (every element takes at least one byte), so a caller never reserves room for elements that
    /// cannot be there.
    /// </summary>
    public int ReadArrayCount(bool flexible) => ReadLength(LengthKind.Int32, flexible);

    /// <summary>Skips a tagged-field section the caller does not know (used for headers).</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarIntAsInt32();
        for (var i = 0; i < count; i++)
        {
            ReadUnsignedVarIntAsInt32();
            Skip(ReadUnsignedVarIntAsInt32());
        }
    }
}
