namespace Gregor.Protocol.Records;

/// <summary>
/// Walks the records of a v2 batch (the bytes after the 61-byte header, decompressed), checking
/// that every length stays inside its record and every record is consumed exactly.
/// </summary>
public ref struct RecordReader
{
    private readonly ReadOnlySpan<byte> _records;
    private int _position;

    public RecordReader(ReadOnlySpan<byte> records)
    {
        _records = records;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly bool IsAtEnd => _position >= _records.Length;

    public bool TryRead(out Record record, out string? error)
    {
        record = default;
        error = null;
        var pos = _position;
        var start = pos;
        if (!Varint.TryReadVarInt(_records, ref pos, out var length) || length < 0 || length > _records.Length - pos)
        {
            error = $"record at byte {start}: bad length";
            return false;
        }
        var body = _records.Slice(pos, length);
        var end = pos + length;
        var p = 0;
        if (body.Length < 1)
        {
            error = $"record at byte {start}: empty";
            return false;
        }
        var attributes = (sbyte)body[p++];
        if (!Varint.TryReadVarLong(body, ref p, out var timestampDelta) || !Varint.TryReadVarInt(body, ref p, out var offsetDelta))
        {
            error = $"record at byte {start}: bad timestamp or offset delta";
            return false;
        }
        if (!TryReadBytes(body, ref p, out var key, out var keyIsNull) || !TryReadBytes(body, ref p, out var value, out var valueIsNull))
        {
            error = $"record at byte {start}: bad key or value length";
            return false;
        }
        if (!Varint.TryReadVarInt(body, ref p, out var headerCount) || headerCount < 0)
        {
            error = $"record at byte {start}: bad header count";
            return false;
        }
        var headersStart = p;
        for (var i = 0; i < headerCount; i++)
        {
            if (!TryReadBytes(body, ref p, out _, out var hkNull) || hkNull || !TryReadBytes(body, ref p, out _, out _))
            {
                error = $"record at byte {start}: bad header {i}";
                return false;
            }
        }
        if (p != body.Length)
        {
            error = $"record at byte {start}: {body.Length - p} bytes left over inside the record";
            return false;
        }
        record = new Record(end - start, attributes, timestampDelta, offsetDelta, key, keyIsNull, value, valueIsNull, headerCount, body[headersStart..p]);
        _position = end;
        return true;
    }

    internal static bool TryReadBytes(ReadOnlySpan<byte> span, scoped ref int p, out ReadOnlySpan<byte> bytes, out bool isNull)
    {
        bytes = default;
        isNull = false;
        if (!Varint.TryReadVarInt(span, ref p, out var n) || n < -1 || n > span.Length - p)
        {
            return false;
        }
        if (n == -1)
        {
            isNull = true;
            return true;
        }
        bytes = span.Slice(p, n);
        p += n;
        return true;
    }
}

/// <summary>Reads the headers of a record: key (never null), value (null when length is -1).</summary>
public ref struct RecordHeaderReader
{
    private readonly ReadOnlySpan<byte> _headers;
    private int _position;

    public RecordHeaderReader(ReadOnlySpan<byte> headers)
    {
        _headers = headers;
        _position = 0;
    }

    public bool TryRead(out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out bool valueIsNull)
    {
        value = default;
        valueIsNull = false;
        if (_position >= _headers.Length)
        {
            key = default;
            return false;
        }
        var p = _position;
        var ok = RecordReader.TryReadBytes(_headers, ref p, out key, out _) &&
                 RecordReader.TryReadBytes(_headers, ref p, out value, out valueIsNull);
        _position = ok ? p : _headers.Length;
        return ok;
    }
}
