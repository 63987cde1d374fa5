namespace Gregor.Protocol.Records;

/// <summary>
/// Validates record batch v2 bytes before they are appended or served: every batch's length field
/// against the bytes present, magic 2, CRC-32C, attribute bits (codec ≤ 4, no unknown flags below
/// bit 7), decompression under a hard size cap, record framing, record count against records
/// present, offset deltas strictly increasing within [0, lastOffsetDelta], and for CreateTime every
/// record timestamp ≤ maxTimestamp. Record timestamps need not increase within a batch: Kafka
/// producers may give records any timestamps, and Kafka accepts them.
/// Stateless and allocation-free apart from the pooled decompression buffer.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>Validates one or more whole batches laid end to end.</summary>
    public static RecordValidationError Validate(ReadOnlySpan<byte> batches, BatchValidationOptions options, out string? message)
    {
        message = null;
        if (batches.Length == 0)
        {
            message = "no record batch";
            return RecordValidationError.CorruptMessage;
        }
        var position = 0;
        while (position < batches.Length)
        {
            var rest = batches[position..];
            if (rest.Length < RecordBatch.LogOverhead + 5)
            {
                message = $"batch at byte {position}: {rest.Length} bytes are too few for a header";
                return RecordValidationError.CorruptMessage;
            }
            var size = (long)RecordBatch.BatchLength(rest) + RecordBatch.LogOverhead;
            if (RecordBatch.Magic(rest) != RecordBatch.CurrentMagic)
            {
                message = $"batch at byte {position}: magic {RecordBatch.Magic(rest)} where 2 was expected";
                return RecordValidationError.UnsupportedMagic;
            }
            if (size < RecordBatch.HeaderSize || size > rest.Length)
            {
                message = $"batch at byte {position}: length field says {size} bytes, {rest.Length} present";
                return RecordValidationError.CorruptMessage;
            }
            if (size > options.MaxBatchBytes)
            {
                message = $"batch at byte {position}: {size} bytes exceed the limit of {options.MaxBatchBytes}";
                return RecordValidationError.RecordTooLarge;
            }
            var error = ValidateOne(rest[..(int)size], options, out message);
            if (error != RecordValidationError.None)
            {
                message = $"batch at byte {position}: {message}";
                return error;
            }
            position += (int)size;
        }
        return RecordValidationError.None;
    }

    /// <summary>Validates exactly one batch whose length field has been checked against <paramref name="batch"/>.</summary>
    public static RecordValidationError ValidateOne(ReadOnlySpan<byte> batch, BatchValidationOptions options, out string? message)
    {
        message = null;
        if (!RecordBatch.IsCrcValid(batch))
        {
            message = $"CRC mismatch: stored {RecordBatch.Crc(batch):x8}, computed {RecordBatch.ComputeCrc(batch):x8}";
            return RecordValidationError.CorruptMessage;
        }
        var attributes = RecordBatch.Attributes(batch);
        if ((attributes & RecordBatch.CompressionCodecMask) > (int)CompressionType.Zstd)
        {
            message = $"unknown compression codec {attributes & RecordBatch.CompressionCodecMask}";
            return RecordValidationError.UnsupportedCompressionType;
        }
        if ((attributes & 0xFF80) != 0)
        {
            message = $"unknown attribute bits {attributes:x4}";
            return RecordValidationError.InvalidRecord;
        }
        var lastOffsetDelta = RecordBatch.LastOffsetDelta(batch);
        var count = RecordBatch.RecordsCount(batch);
        if (lastOffsetDelta < 0 || count < 0 || count > (long)lastOffsetDelta + 1)
        {
            message = $"record count {count} does not fit lastOffsetDelta {lastOffsetDelta}";
            return RecordValidationError.InvalidRecord;
        }
        if (options.RequireContiguousOffsets && count != lastOffsetDelta + 1)
        {
            message = $"record count {count} but lastOffsetDelta {lastOffsetDelta}";
            return RecordValidationError.InvalidRecord;
        }
        if (!DecodedRecords.TryDecode(batch, options.MaxDecompressedBytes, out var records, out var decodeError))
        {
            message = decodeError;
            return decodeError is not null && decodeError.Contains("exceeds the limit", StringComparison.Ordinal)
                ? RecordValidationError.RecordTooLarge
                : RecordValidationError.CorruptMessage;
        }
        using (records)
        {
            var createTime = RecordBatch.TimestampType(batch) == TimestampType.CreateTime && !RecordBatch.HasDeleteHorizon(batch);
            var baseTimestamp = RecordBatch.BaseTimestamp(batch);
            var maxTimestamp = RecordBatch.MaxTimestamp(batch);
            var reader = new RecordReader(records.Span);
            var previousDelta = -1;
            var seen = 0;
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out var recordError))
                {
                    message = recordError;
                    return RecordValidationError.CorruptMessage;
                }
                if (record.OffsetDelta <= previousDelta || record.OffsetDelta > lastOffsetDelta ||
                    (options.RequireContiguousOffsets && record.OffsetDelta != previousDelta + 1))
                {
                    message = $"record {seen}: offset delta {record.OffsetDelta} after {previousDelta} (lastOffsetDelta {lastOffsetDelta})";
                    return RecordValidationError.InvalidRecord;
                }
                if (createTime && maxTimestamp >= 0 && baseTimestamp + record.TimestampDelta > maxTimestamp)
                {
                    message = $"record {seen}: timestamp {baseTimestamp + record.TimestampDelta} above the batch's maxTimestamp {maxTimestamp}";
                    return RecordValidationError.InvalidRecord;
                }
                previousDelta = record.OffsetDelta;
                seen++;
                if (seen > count)
                {
                    break;
                }
            }
            if (seen != count)
            {
                message = $"header says {count} records, {seen} present";
                return RecordValidationError.InvalidRecord;
            }
        }
        return RecordValidationError.None;
    }
}
