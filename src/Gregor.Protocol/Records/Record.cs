namespace Gregor.Protocol.Records;

/// <summary>
/// One record of a v2 batch, viewed in place over (decompressed) record bytes:
/// <code>
/// length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
/// | keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value
/// | headerCount varint | headers: [keyLength varint | key | valueLength varint (-1 = null) | value]
/// </code>
/// </summary>
public readonly ref struct Record
{
    public Record(int sizeInBytes, sbyte attributes, long timestampDelta, int offsetDelta, ReadOnlySpan<byte> key, bool keyIsNull,
        ReadOnlySpan<byte> value, bool valueIsNull, int headerCount, ReadOnlySpan<byte> headers)
    {
        SizeInBytes = sizeInBytes;
        Attributes = attributes;
        TimestampDelta = timestampDelta;
        OffsetDelta = offsetDelta;
        Key = key;
        KeyIsNull = keyIsNull;
        Value = value;
        ValueIsNull = valueIsNull;
        HeaderCount = headerCount;
        Headers = headers;
    }

    /// <summary>Bytes the record occupies, its length varint included.</summary>
    public int SizeInBytes { get; }

    public sbyte Attributes { get; }

    public long TimestampDelta { get; }

    public int OffsetDelta { get; }

    public ReadOnlySpan<byte> Key { get; }

    public bool KeyIsNull { get; }

    public ReadOnlySpan<byte> Value { get; }

    /// <summary>A null value is a tombstone in a compacted topic.</summary>
    public bool ValueIsNull { get; }

    public int HeaderCount { get; }

    /// <summary>The encoded headers (after the count), read them with <see cref="RecordHeaderReader"/>.</summary>
    public ReadOnlySpan<byte> Headers { get; }
}
