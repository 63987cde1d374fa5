namespace Gregor.Protocol.Records;

/// <summary>
/// Validates record batch v2 bytes before they are appended or served: every batch's length field
/// against the bytes present, magic 2, CRC-32C, attribute bits (codec ≤ 4, no unknown flags below
/// bit 7), decompression under a hard size cap, record framing, record count against records
/// present, offset deltas strictly increasing within [0, lastOffsetDelta], and for CreateTime every
/// record timestamp ≤ maxTimestamp. Record timestamps need not increase within a batch: Kafka
/// producers may give records any timestamps, and Kafka accepts them.
/// Record policies from <see cref="BatchValidationOptions"/>, as Kafka's LogValidator applies them:
/// a compacted topic refuses records without a key (INVALID_RECORD), and CreateTime record
/// timestamps must lie within message.timestamp.before/after.max.ms of the broker's clock
/// (INVALID_TIMESTAMP, which wins when both kinds occur).
/// A fault of particular records (offset delta, timestamp, key) is reported for every such record
/// of the failing batch, by index, as Kafka's record_errors; faults of the batch as a whole (CRC,
/// framing, counts, header fields) carry no record errors, as in Kafka.
/// Stateless and allocation-free on success apart from the pooled decompression buffer; a refused
/// batch allocates its messages and the list of record errors.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>How many record errors the summary message quotes.</summary>
    private const int QuotedRecordErrors = 3;

    /// <summary>Validates one or more whole batches laid end to end.</summary>
    public static RecordValidationError Validate(ReadOnlySpan<byte> batches, BatchValidationOptions options, out string? message) =>
        Validate(batches, options, out message, out _);

    /// <summary>
    /// Validates one or more whole batches laid end to end. When the first failing batch fails
    /// because of particular records, <paramref name="recordErrors"/> lists them, indexed among all
    /// records of <paramref name="batches"/> (producers send one batch per partition, so this is
    /// Kafka's batch_index), and <paramref name="message"/> summarises them; otherwise it is null.
    /// </summary>
    public static RecordValidationError Validate(ReadOnlySpan<byte> batches, BatchValidationOptions options, out string? message,
        out IReadOnlyList<RecordError>? recordErrors)
    {
        message = null;
        recordErrors = null;
        if (batches.Length == 0)
        {
            message = "no record batch";
            return RecordValidationError.CorruptMessage;
        }
        var position = 0;
        var firstIndex = 0;
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
            var error = ValidateOne(rest[..(int)size], options, firstIndex, out message, out var errors);
            if (error != RecordValidationError.None)
            {
                if (errors is null)
                {
                    message = $"batch at byte {position}: {message}";
                }
                recordErrors = errors;
                return error;
            }
            // Validated: the header's count is the number of records present.
            firstIndex += RecordBatch.RecordsCount(rest);
            position += (int)size;
        }
        return RecordValidationError.None;
    }

    /// <summary>Validates exactly one batch whose length field has been checked against <paramref name="batch"/>.</summary>
    public static RecordValidationError ValidateOne(ReadOnlySpan<byte> batch, BatchValidationOptions options, out string? message) =>
        ValidateOne(batch, options, 0, out message, out _);

    /// <summary>
    /// Validates one batch whose first record is record <paramref name="firstIndex"/> of the record
    /// set; <paramref name="recordErrors"/> is set only when the batch fails because of particular records.
    /// </summary>
    private static RecordValidationError ValidateOne(ReadOnlySpan<byte> batch, BatchValidationOptions options, int firstIndex,
        out string? message, out List<RecordError>? recordErrors)
    {
        message = null;
        recordErrors = null;
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
            var baseOffset = RecordBatch.BaseOffset(batch);
            var baseTimestamp = RecordBatch.BaseTimestamp(batch);
            var maxTimestamp = RecordBatch.MaxTimestamp(batch);
            var requireKeys = options.RequireKeys && !RecordBatch.IsControl(batch);
            var checkTimestamps = createTime && (options.TimestampBeforeMaxMs != long.MaxValue || options.TimestampAfterMaxMs != long.MaxValue);
            var (earliest, latest) = TimestampBounds(options);
            var reader = new RecordReader(records.Span);
            List<RecordError>? errors = null;
            var invalidTimestamp = false;
            var previousDelta = -1;
            var seen = 0;
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out var recordError))
                {
                    message = recordError;
                    return RecordValidationError.CorruptMessage;
                }
                // A producer's deltas are 0..n-1, so each record is checked against its own position
                // and one misplaced record does not put the records after it at fault.
                var misplaced = options.RequireContiguousOffsets
                    ? record.OffsetDelta != seen
                    : record.OffsetDelta <= previousDelta || record.OffsetDelta > lastOffsetDelta;
                var timestamp = baseTimestamp + record.TimestampDelta;
                string? fault = null;
                if (misplaced)
                {
                    fault = options.RequireContiguousOffsets
                        ? $"offset delta {record.OffsetDelta} where {seen} was expected"
                        : $"offset delta {record.OffsetDelta} after {previousDelta} (lastOffsetDelta {lastOffsetDelta})";
                }
                else if (createTime && maxTimestamp >= 0 && timestamp > maxTimestamp)
                {
                    fault = $"timestamp {timestamp} above the batch's maxTimestamp {maxTimestamp}";
                }
                else if (requireKeys && record.KeyIsNull)
                {
                    fault = "Compacted topic cannot accept message without key";
                }
                else if (checkTimestamps && timestamp != RecordBatch.NoTimestamp && (timestamp < earliest || timestamp > latest))
                {
                    fault = $"Timestamp {timestamp} of message with offset {baseOffset + record.OffsetDelta} is out of range: it must be within [{earliest}, {latest}]";
                    invalidTimestamp = true;
                }
                if (fault is not null)
                {
                    (errors ??= []).Add(new RecordError(firstIndex + seen, fault));
                }
                previousDelta = Math.Max(previousDelta, record.OffsetDelta);
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
            if (errors is not null)
            {
                var error = invalidTimestamp ? RecordValidationError.InvalidTimestamp : RecordValidationError.InvalidRecord;
                message = Summarise(error, errors);
                recordErrors = errors;
                return error;
            }
        }
        return RecordValidationError.None;
    }

    /// <summary>
    /// The earliest and latest acceptable record timestamps: the broker's clock less
    /// before.max.ms and plus after.max.ms, saturating at long.MaxValue.
    /// </summary>
    private static (long Earliest, long Latest) TimestampBounds(BatchValidationOptions options)
    {
        var now = Math.Max(0, options.NowMs);
        var earliest = now - options.TimestampBeforeMaxMs;
        var latest = options.TimestampAfterMaxMs > long.MaxValue - now ? long.MaxValue : now + options.TimestampAfterMaxMs;
        return (earliest, latest);
    }

    /// <summary>The partition's error_message for a batch refused because of particular records: the cause, and the first few of them.</summary>
    private static string Summarise(RecordValidationError error, List<RecordError> errors)
    {
        var quoted = string.Join("; ", errors.Take(QuotedRecordErrors).Select(e => $"batch index {e.BatchIndex}: {e.Message}"));
        var more = errors.Count > QuotedRecordErrors ? $"; and {errors.Count - QuotedRecordErrors} more" : "";
        var cause = error == RecordValidationError.InvalidTimestamp ? "invalid timestamp" : $"{errors.Count} record error{(errors.Count == 1 ? "" : "s")}";
        return $"One or more records have been rejected due to {cause}: {quoted}{more}";
    }
}
