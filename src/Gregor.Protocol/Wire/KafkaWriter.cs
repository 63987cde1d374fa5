using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gregor.Protocol.Wire;

/// <summary>
/// Writes Kafka's primitive types, big-endian, into a growable buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>. Dispose returns the buffer; <see cref="WrittenMemory"/>
/// is valid until then. Not thread-safe: one writer belongs to one response being built.
/// <para>
/// Large record sets are not copied: <see cref="WriteRecords"/> keeps a reference to them
/// (an external segment at the current position), and the output is then the sequence of
/// <see cref="Segments"/>. Buffers handed over with <see cref="AttachRented"/> live until Dispose,
/// so the referenced bytes stay valid until the response has been sent.
/// </para>
/// </summary>
public sealed class KafkaWriter : IBufferWriter<byte>, IDisposable
{
    /// <summary>Record sets in arrays at least this large are referenced instead of copied.</summary>
    public const int ExternalThreshold = 4096;

    private byte[] _buffer;
    private int _length;
    private List<(int Position, ReadOnlyMemory<byte> Data)>? _external;
    private int _externalLength;
    private List<byte[]>? _rented;

    public KafkaWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Bytes written, external segments included.</summary>
    public int Length => _length + _externalLength;

    /// <summary>The output when it holds no external segment (true for everything but record sets).</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _external is null
        ? _buffer.AsMemory(0, _length)
        : throw new InvalidOperationException("the output has external segments: use Segments or ToArray");

    public ReadOnlySpan<byte> WrittenSpan => WrittenMemory.Span;

    /// <summary>The output in order: runs of the own buffer and the external segments between them.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments
    {
        get
        {
            var start = 0;
            foreach (var (position, data) in _external ?? [])
            {
                if (position > start)
                {
                    yield return _buffer.AsMemory(start, position - start);
                }
                yield return data;
                start = position;
            }
            if (_length > start)
            {
                yield return _buffer.AsMemory(start, _length - start);
            }
        }
    }

    public byte[] ToArray()
    {
        var result = new byte[Length];
        var at = 0;
        foreach (var segment in Segments)
        {
            segment.Span.CopyTo(result.AsSpan(at));
            at += segment.Length;
        }
        return result;
    }

    public void Reset()
    {
        _length = 0;
        _external = null;
        _externalLength = 0;
    }

    /// <summary>Takes a pooled buffer (that an external segment points into) to return at Dispose.</summary>
    public void AttachRented(byte[] buffer) => (_rented ??= []).Add(buffer);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        Reset();
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        foreach (var rented in _rented ?? [])
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        _rented = null;
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(Math.Max(1, sizeHint));
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int extra)
    {
        if (_buffer.Length - _length >= extra)
        {
            return;
        }
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = next;
    }

    private Span<byte> Grab(int count)
    {
        Ensure(count);
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    /// <summary>Reserves <paramref name="count"/> bytes to be filled in later (lengths, sizes); returns their position.</summary>
    public int Reserve(int count)
    {
        var position = _length;
        Grab(count);
        return position;
    }

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);

    public void WriteInt8(sbyte value) => Grab(1)[0] = (byte)value;

    public void WriteBool(bool value) => Grab(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Grab(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Grab(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Grab(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Grab(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Grab(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Grab(8), value);

    public void WriteUuid(Uuid value) => value.WriteTo(Grab(16));

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Grab(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Grab(1)[0] = (byte)value;
    }

    public void WriteUnsignedVarLong(ulong value)
    {
        while (value >= 0x80)
        {
            Grab(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }
        Grab(1)[0] = (byte)value;
    }

    public void WriteVarInt(int value) => WriteUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    public void WriteVarLong(long value) => WriteUnsignedVarLong((ulong)((value << 1) ^ (value >> 63)));

    public static int SizeOfUnsignedVarInt(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static int SizeOfVarInt(int value) => SizeOfUnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    public static int SizeOfVarLong(long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        var size = 1;
        while (raw >= 0x80)
        {
            raw >>= 7;
            size++;
        }
        return size;
    }

    /// <summary>Null is written as length -1 (non-flexible int16) or 0 (flexible: length+1).</summary>
    public void WriteNullableString(string? value, bool flexible)
    {
        if (value is null)
        {
            if (flexible)
            {
                WriteUnsignedVarInt(0);
            }
            else
            {
                WriteInt16(-1);
            }
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (flexible)
        {
            WriteUnsignedVarInt((uint)byteCount + 1);
        }
        else
        {
            if (byteCount > short.MaxValue)
            {
                throw new InvalidOperationException($"string of {byteCount} bytes does not fit an int16 length");
            }
            WriteInt16((short)byteCount);
        }
        Encoding.UTF8.GetBytes(value, Grab(byteCount));
    }

    /// <summary>
    /// Writes human-readable text (error messages), cut at <see cref="KafkaReader.MaxStringBytes"/>
    /// bytes on a character boundary: a message that quotes a long name stays writable in every
    /// version, and a client never receives a string its reader would refuse.
    /// </summary>
    public void WriteNullableText(string? value, bool flexible)
    {
        if (value is not null && Encoding.UTF8.GetByteCount(value) > KafkaReader.MaxStringBytes)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var cut = KafkaReader.MaxStringBytes;
            while (cut > 0 && (bytes[cut] & 0xc0) == 0x80)
            {
                cut--; // bytes[cut] continues a character that began before the cut
            }
            value = Encoding.UTF8.GetString(bytes, 0, cut);
        }
        WriteNullableString(value, flexible);
    }

    public void WriteNullableBytes(ReadOnlySpan<byte> value, bool isNull, bool flexible)
    {
        if (isNull)
        {
            if (flexible)
            {
                WriteUnsignedVarInt(0);
            }
            else
            {
                WriteInt32(-1);
            }
            return;
        }
        if (flexible)
        {
            WriteUnsignedVarInt((uint)value.Length + 1);
        }
        else
        {
            WriteInt32(value.Length);
        }
        WriteRaw(value);
    }

    public void WriteNullableBytes(ReadOnlyMemory<byte>? value, bool flexible) =>
        WriteNullableBytes(value.HasValue ? value.Value.Span : default, !value.HasValue, flexible);

    /// <summary>
    /// A record set (nullable bytes): a large one is referenced, not copied, and must stay valid
    /// until the output has been sent (see <see cref="AttachRented"/>).
    /// </summary>
    public void WriteRecords(ReadOnlyMemory<byte>? records, bool flexible)
    {
        // Small arrays are copied; large ones, and bytes that are not in an array at all (e.g. still
        // in a file), are referenced.
        if (records is not { } data || (data.Length < ExternalThreshold && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out _)))
        {
            WriteNullableBytes(records, flexible);
            return;
        }
        if (flexible)
        {
            WriteUnsignedVarInt((uint)data.Length + 1);
        }
        else
        {
            WriteInt32(data.Length);
        }
        (_external ??= []).Add((_length, data));
        _externalLength += data.Length;
    }

    /// <summary>Array count; -1 (null) is written as int32 -1 or unsigned varint 0.</summary>
    public void WriteArrayCount(int count, bool flexible)
    {
        if (flexible)
        {
            WriteUnsignedVarInt((uint)(count + 1));
        }
        else
        {
            WriteInt32(count);
        }
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grab(bytes.Length));
}
