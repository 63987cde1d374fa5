using System.Buffers;
using System.Buffers.Binary;

namespace Gregor.Protocol.Records;

/// <summary>
/// Converts between legacy message sets (magic 0/1, see <see cref="LegacyMessage"/>) and record
/// batch v2. Old producers' message sets become one v2 batch on append (offsets relative from 0,
/// the log assigns real ones); v2 batches read from the log become message sets for old consumers.
/// These run only for old clients and allocate freely.
/// </summary>
public static class LegacyMessageConverter
{
    /// <summary>
    /// Validates a legacy message set (CRC-32 of every message, lengths, magic 0/1, one level of
    /// compressed wrappers, decompression under the cap) and converts it into a single v2 batch with
    /// base offset 0. The batch uses the wrappers' codec (none if no wrapper), or <paramref name="targetCodec"/>.
    /// </summary>
    public static RecordValidationError TryConvertToV2(ReadOnlySpan<byte> messageSet, BatchValidationOptions options,
        out byte[]? batch, out string? message, CompressionType? targetCodec = null)
    {
        batch = null;
        var records = new List<(long Timestamp, byte[]? Key, byte[]? Value)>();
        var codec = CompressionType.None;
        var timestampType = TimestampType.CreateTime;
        var error = ReadSet(messageSet, options, records, ref codec, ref timestampType, nested: false, out message);
        if (error != RecordValidationError.None)
        {
            return error;
        }
        if (records.Count == 0)
        {
            message = "empty message set";
            return RecordValidationError.CorruptMessage;
        }
        var builder = new RecordBatchBuilder(targetCodec ?? codec, timestampType);
        foreach (var (ts, key, value) in records)
        {
            builder.Append(ts, key, value);
        }
        batch = builder.Build(0);
        return RecordValidationError.None;
    }

    private static RecordValidationError ReadSet(ReadOnlySpan<byte> set, BatchValidationOptions options,
        List<(long, byte[]?, byte[]?)> records, ref CompressionType codec, ref TimestampType timestampType, bool nested, out string? message)
    {
        message = null;
        var position = 0;
        while (position < set.Length)
        {
            var rest = set[position..];
            if (rest.Length < LegacyMessage.MinV0Size)
            {
                if (nested)
                {
                    message = $"message at byte {position}: truncated";
                    return RecordValidationError.CorruptMessage;
                }
                // A fetch-style partial trailing message is not allowed in a produce request either.
                message = $"message at byte {position}: {rest.Length} bytes are too few";
                return RecordValidationError.CorruptMessage;
            }
            var size = (long)BinaryPrimitives.ReadInt32BigEndian(rest[LegacyMessage.SizeOffset..]) + 12;
            var magic = rest[LegacyMessage.MagicOffset];
            if (magic > 1)
            {
                message = $"message at byte {position}: magic {magic} in a legacy message set";
                return RecordValidationError.UnsupportedMagic;
            }
            if (size < LegacyMessage.HeaderSize(magic) + 8 || size > rest.Length)
            {
                message = $"message at byte {position}: size {size} with {rest.Length} bytes present";
                return RecordValidationError.CorruptMessage;
            }
            if (size > options.MaxBatchBytes)
            {
                message = $"message at byte {position}: {size} bytes exceed the limit";
                return RecordValidationError.RecordTooLarge;
            }
            var m = rest[..(int)size];
            var crc = BinaryPrimitives.ReadUInt32BigEndian(m[LegacyMessage.CrcOffset..]);
            if (crc != Crc32Ieee.Compute(m[LegacyMessage.MagicOffset..]))
            {
                message = $"message at byte {position}: CRC mismatch";
                return RecordValidationError.CorruptMessage;
            }
            var attributes = m[LegacyMessage.AttributesOffset];
            var p = LegacyMessage.V0HeaderSize;
            var timestamp = RecordBatch.NoTimestamp;
            if (magic == 1)
            {
                timestamp = BinaryPrimitives.ReadInt64BigEndian(m[p..]);
                p += 8;
            }
            if (!TryReadBytes(m, ref p, out var key, out var keyIsNull) || !TryReadBytes(m, ref p, out var value, out var valueIsNull) || p != m.Length)
            {
                message = $"message at byte {position}: bad key or value length";
                return RecordValidationError.CorruptMessage;
            }
            var messageCodec = (CompressionType)(attributes & 0x07);
            if ((int)messageCodec > (int)CompressionType.Zstd || (magic < 2 && messageCodec == CompressionType.Zstd))
            {
                message = $"message at byte {position}: codec {(int)messageCodec} not allowed for magic {magic}";
                return RecordValidationError.UnsupportedCompressionType;
            }
            var logAppendTime = magic == 1 && (attributes & 0x08) != 0;
            if (messageCodec != CompressionType.None)
            {
                if (nested)
                {
                    message = $"message at byte {position}: nested compressed wrapper";
                    return RecordValidationError.CorruptMessage;
                }
                if (valueIsNull)
                {
                    message = $"message at byte {position}: compressed wrapper without a value";
                    return RecordValidationError.CorruptMessage;
                }
                if (!Compression.TryDecompress(messageCodec, value, options.MaxDecompressedBytes, out var inner, out var innerLength, out var decompressError))
                {
                    ArrayPool<byte>.Shared.Return(inner);
                    message = $"message at byte {position}: {decompressError}";
                    return decompressError is not null && decompressError.Contains("exceeds the limit", StringComparison.Ordinal)
                        ? RecordValidationError.RecordTooLarge
                        : RecordValidationError.CorruptMessage;
                }
                try
                {
                    var first = records.Count;
                    var error = ReadSet(inner.AsSpan(0, innerLength), options, records, ref codec, ref timestampType, nested: true, out message);
                    if (error != RecordValidationError.None)
                    {
                        message = $"wrapper at byte {position}: {message}";
                        return error;
                    }
                    if (logAppendTime)
                    {
                        for (var i = first; i < records.Count; i++)
                        {
                            records[i] = (timestamp, records[i].Item2, records[i].Item3);
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(inner);
                }
                codec = codec == CompressionType.None ? messageCodec : codec;
            }
            else
            {
                records.Add((timestamp, keyIsNull ? null : key.ToArray(), valueIsNull ? null : value.ToArray()));
            }
            if (logAppendTime)
            {
                timestampType = TimestampType.LogAppendTime;
            }
            position += (int)size;
        }
        return RecordValidationError.None;
    }

    private static bool TryReadBytes(ReadOnlySpan<byte> m, ref int p, out ReadOnlySpan<byte> bytes, out bool isNull)
    {
        bytes = default;
        isNull = false;
        if (p + 4 > m.Length)
        {
            return false;
        }
        var n = BinaryPrimitives.ReadInt32BigEndian(m[p..]);
        p += 4;
        if (n == -1)
        {
            isNull = true;
            return true;
        }
        if (n < 0 || n > m.Length - p)
        {
            return false;
        }
        bytes = m.Slice(p, n);
        p += n;
        return true;
    }

    /// <summary>
    /// Converts whole v2 batches (as read from the log) into a legacy message set of
    /// <paramref name="magic"/> 0 or 1 for an old consumer. A compressed batch becomes one
    /// compressed wrapper with the same codec (zstd, which legacy formats lack, becomes
    /// uncompressed messages). Control batches are left out; headers are dropped (legacy messages
    /// have none). A trailing partial batch is ignored. Batches that fail to decode throw
    /// <see cref="InvalidDataException"/>: the log layer has validated them, so that is corruption.
    /// </summary>
    public static byte[] ConvertToLegacy(ReadOnlySpan<byte> batches, byte magic, int maxDecompressedBytes = 64 * 1024 * 1024)
    {
        if (magic > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(magic));
        }
        var output = new ArrayBufferWriter<byte>();
        var position = 0;
        while (batches.Length - position >= RecordBatch.HeaderSize)
        {
            var rest = batches[position..];
            var size = RecordBatch.SizeInBytes(rest);
            if (size < RecordBatch.HeaderSize || size > rest.Length)
            {
                break;
            }
            var batch = rest[..size];
            position += size;
            ConvertBatchToLegacy(batch, magic, output, maxDecompressedBytes);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Appends one whole v2 batch, converted as <see cref="ConvertToLegacy"/> converts each, to
    /// <paramref name="output"/> (nothing for a control batch).
    /// </summary>
    public static void ConvertBatchToLegacy(ReadOnlySpan<byte> batch, byte magic, ArrayBufferWriter<byte> output, int maxDecompressedBytes = 64 * 1024 * 1024)
    {
        if (magic > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(magic));
        }
        if (RecordBatch.IsControl(batch))
        {
            return;
        }
        if (!DecodedRecords.TryDecode(batch, maxDecompressedBytes, out var records, out var error))
        {
            throw new InvalidDataException(error);
        }
        using (records)
        {
            var codec = RecordBatch.Compression(batch);
            var logAppendTime = RecordBatch.TimestampType(batch) == TimestampType.LogAppendTime;
            var timestampAttribute = (byte)(magic == 1 && logAppendTime ? 0x08 : 0);
            var baseOffset = RecordBatch.BaseOffset(batch);
            var baseTimestamp = RecordBatch.BaseTimestamp(batch);
            var maxTimestamp = RecordBatch.MaxTimestamp(batch);
            var wrap = codec is not CompressionType.None and not CompressionType.Zstd;
            var target = wrap ? new ArrayBufferWriter<byte>() : output;
            var reader = new RecordReader(records.Span);
            long firstOffset = -1, lastOffset = -1;
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out error))
                {
                    throw new InvalidDataException(error);
                }
                var offset = baseOffset + record.OffsetDelta;
                if (firstOffset < 0)
                {
                    firstOffset = offset;
                }
                lastOffset = offset;
                var timestamp = magic == 0 ? RecordBatch.NoTimestamp : logAppendTime ? maxTimestamp : baseTimestamp + record.TimestampDelta;
                var innerOffset = wrap && magic == 1 ? offset - firstOffset : offset;
                LegacyMessage.Write(target, innerOffset, magic, timestampAttribute, timestamp,
                    record.Key, record.KeyIsNull, record.Value, record.ValueIsNull);
            }
            if (wrap && firstOffset >= 0)
            {
                var inner = (ArrayBufferWriter<byte>)target;
                var compressed = Compression.Compress(codec, inner.WrittenSpan, lz4BrokenHeaderChecksum: magic == 0);
                LegacyMessage.Write(output, lastOffset, magic, (byte)((byte)codec | timestampAttribute), maxTimestamp,
                    default, true, compressed, false);
            }
        }
    }
}
