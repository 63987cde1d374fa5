namespace Gregor.Protocol.Records;

/// <summary>
/// Zig-zag variable-length integers as used inside record batch v2 records (protobuf style:
/// seven bits per byte, least significant group first, high bit = more bytes follow).
/// Try* readers return false on a truncated or over-long encoding instead of throwing.
/// </summary>
public static class Varint
{
    public static bool TryReadVarLong(ReadOnlySpan<byte> span, ref int position, out long value)
    {
        ulong raw = 0;
        var shift = 0;
        while (true)
        {
            if (position >= span.Length || shift > 63)
            {
                value = 0;
                return false;
            }
            var b = span[position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
        }
        value = (long)(raw >> 1) ^ -(long)(raw & 1);
        return true;
    }

    public static bool TryReadVarInt(ReadOnlySpan<byte> span, ref int position, out int value)
    {
        if (!TryReadVarLong(span, ref position, out var v) || v < int.MinValue || v > int.MaxValue)
        {
            value = 0;
            return false;
        }
        value = (int)v;
        return true;
    }

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

    public static int WriteVarLong(Span<byte> span, long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (raw >= 0x80)
        {
            span[i++] = (byte)(raw | 0x80);
            raw >>= 7;
        }
        span[i++] = (byte)raw;
        return i;
    }
}
