using System.Runtime.InteropServices;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Storage;
using Gregor.Storage.Producers;

namespace Gregor.Broker.Partitions;

/// <summary>
/// The produce path for one partition: converts legacy message sets (magic 0/1) to a v2 batch,
/// validates v2 batches (CRC-32C, lengths, codec, decompressed size) and their records against the
/// topic's policies (keys on a compacted topic, CreateTime timestamp bounds), appends them as the leader
/// (the log checks idempotent batches against its producer state as it appends: a retry is answered
/// with its original offsets), moves the high watermark (see Partition.MaybeIncrementHighWatermark) and wakes parked fetches. The record bytes are patched in place in the request buffer and written as received.
/// A partition whose log dir is offline (or goes offline on this append) gets KAFKA_STORAGE_ERROR.
/// Reached through <see cref="Partition.AppendAsync"/>, which owns the log.
/// </summary>
internal static class PartitionAppender
{
    /// <summary>Offset of the magic byte, the same in legacy messages and v2 batches.</summary>
    private const int MagicOffset = 16;

    public static async ValueTask<AppendResult> AppendAsync(Partition partition, PartitionLog log, ReadOnlyMemory<byte> records)
    {
        var config = log.Config;
        if (log.IsOffline)
        {
            return AppendResult.Failed(ErrorCode.KafkaStorageError, $"the log dir of {log.TopicPartition} is offline");
        }
        if (records.Length < RecordBatch.LogOverhead + 5)
        {
            return AppendResult.Failed(ErrorCode.CorruptMessage, $"record set of {records.Length} bytes is too short", log.LogStartOffset);
        }
        var createTime = config.MessageTimestampType == TimestampType.CreateTime;
        var options = new BatchValidationOptions
        {
            MaxBatchBytes = config.MaxMessageBytes,
            MaxDecompressedBytes = config.MaxDecompressedBytes,
            RequireKeys = config.Compact,
            TimestampBeforeMaxMs = createTime ? config.MessageTimestampBeforeMaxMs : long.MaxValue,
            TimestampAfterMaxMs = createTime ? config.MessageTimestampAfterMaxMs : long.MaxValue,
            NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        Memory<byte> batches;
        var magic = records.Span[MagicOffset];
        if (magic < RecordBatch.CurrentMagic)
        {
            var converted = LegacyMessageConverter.TryConvertToV2(records.Span, options, out var batch, out var conversionError);
            if (converted != RecordValidationError.None || batch is null)
            {
                return AppendResult.Failed(Map(converted), conversionError, log.LogStartOffset);
            }
            // The conversion checked the messages' framing; the record policies (keys, timestamps)
            // are the v2 validator's. The converted batch may be a little larger than the message set.
            batches = batch;
            var refused = Validate(batches.Span, options with { MaxBatchBytes = int.MaxValue }, log.LogStartOffset);
            if (refused.Error != ErrorCode.None)
            {
                return refused;
            }
        }
        else
        {
            var refused = Validate(records.Span, options, log.LogStartOffset);
            if (refused.Error != ErrorCode.None)
            {
                return refused;
            }
            // The request buffer belongs to this request alone: patching it in place is safe.
            batches = MemoryMarshal.AsMemory(records);
        }
        var policy = CheckBatches(batches.Span, config);
        if (policy.Error != ErrorCode.None)
        {
            return policy with { LogStartOffset = log.LogStartOffset };
        }
        return await AppendToLogAsync(partition, log, batches).ConfigureAwait(false);
    }

    private static AppendResult Validate(ReadOnlySpan<byte> batches, BatchValidationOptions options, long logStartOffset)
    {
        var error = RecordBatchValidator.Validate(batches, options, out var message, out var recordErrors);
        return error == RecordValidationError.None
            ? default
            : AppendResult.Failed(Map(error), message, logStartOffset) with { RecordErrors = recordErrors };
    }

    /// <summary>
    /// Broker policies on validated batches (the validator has checked every record's key and
    /// timestamp): a batch larger than a segment is RECORD_LIST_TOO_LARGE; a CreateTime batch whose
    /// maxTimestamp field (which the time index takes as it is) lies further from the broker's
    /// clock than message.timestamp.before/after.max.ms is INVALID_TIMESTAMP; transactional batches
    /// are refused with INVALID_TXN_STATE (there is no transaction coordinator yet).
    /// </summary>
    private static AppendResult CheckBatches(ReadOnlySpan<byte> batches, LogConfig config)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        while (batches.Length >= RecordBatch.HeaderSize)
        {
            var size = RecordBatch.SizeInBytes(batches);
            if (size > config.SegmentBytes)
            {
                return AppendResult.Failed(ErrorCode.RecordListTooLarge, $"batch of {size} bytes is larger than the segment size {config.SegmentBytes}");
            }
            if (RecordBatch.IsTransactional(batches))
            {
                return AppendResult.Failed(ErrorCode.InvalidTxnState, "transactional produce is not supported by this broker");
            }
            if (config.MessageTimestampType == TimestampType.CreateTime)
            {
                var timestamp = RecordBatch.MaxTimestamp(batches);
                if (timestamp >= 0 && (now - timestamp > config.MessageTimestampBeforeMaxMs || timestamp - now > config.MessageTimestampAfterMaxMs))
                {
                    return AppendResult.Failed(ErrorCode.InvalidTimestamp,
                        $"maxTimestamp {timestamp} of a batch is out of range: it must be within [{config.MessageTimestampBeforeMaxMs} ms before, {config.MessageTimestampAfterMaxMs} ms after] the broker's time {now}");
                }
            }
            batches = batches[size..];
        }
        return default;
    }

    private static async ValueTask<AppendResult> AppendToLogAsync(Partition partition, PartitionLog log, Memory<byte> batches)
    {
        AppendInfo info;
        bool flushed;
        try
        {
            if (!partition.TryAppendAsLeader(batches, out var append))
            {
                return AppendResult.Failed(ErrorCode.NotLeaderOrFollower, $"this broker no longer leads {log.TopicPartition}", log.LogStartOffset);
            }
            flushed = !append.IsCompleted;
            info = await append.ConfigureAwait(false);
        }
        catch (LogAppendException e)
        {
            return AppendResult.Failed(Map(e.Error), e.Message, log.LogStartOffset);
        }
        catch (ProducerStateException e)
        {
            return AppendResult.Failed(e.Verdict switch
            {
                SequenceCheck.InvalidEpoch => ErrorCode.InvalidProducerEpoch,
                SequenceCheck.OutOfOrder => ErrorCode.OutOfOrderSequenceNumber,
                _ => ErrorCode.DuplicateSequenceNumber,
            }, e.Message, log.LogStartOffset);
        }
        catch (KafkaStorageException e)
        {
            return AppendResult.Failed(ErrorCode.KafkaStorageError, e.Message);
        }
        if (info.IsDuplicate)
        {
            // A producer's retry: answered with the original batch's offset, nothing written.
            return new AppendResult(ErrorCode.None, info.FirstOffset, -1, info.LogStartOffset, null) { LastOffset = info.LastOffset };
        }
        if (flushed)
        {
            partition.OnFlushedAppend();
        }
        return new AppendResult(ErrorCode.None, info.FirstOffset, info.LogAppendTime, info.LogStartOffset, null) { LastOffset = info.LastOffset };
    }

    /// <summary>
    /// A follower's append: the batches come from the leader with their offsets, leader epochs and
    /// producer state already decided, so they are written as they are (the log checks their
    /// framing and that they start at or after its log end). The high watermark is the leader's to
    /// move, so it is left alone here.
    /// </summary>
    public static async ValueTask<AppendResult> AppendAsFollowerAsync(Partition partition, PartitionLog log, ReadOnlyMemory<byte> records)
    {
        try
        {
            var info = await log.AppendAsync(MemoryMarshal.AsMemory(records), partition.LeaderEpoch, assignOffsets: false).ConfigureAwait(false);
            return new AppendResult(ErrorCode.None, info.FirstOffset, info.LogAppendTime, info.LogStartOffset, null) { LastOffset = info.LastOffset };
        }
        catch (LogAppendException e)
        {
            return AppendResult.Failed(Map(e.Error), e.Message, log.LogStartOffset);
        }
        catch (KafkaStorageException e)
        {
            return AppendResult.Failed(ErrorCode.KafkaStorageError, e.Message);
        }
    }

    public static ErrorCode Map(RecordValidationError error) => error switch
    {
        RecordValidationError.None => ErrorCode.None,
        RecordValidationError.CorruptMessage => ErrorCode.CorruptMessage,
        RecordValidationError.InvalidRecord => ErrorCode.InvalidRecord,
        RecordValidationError.InvalidTimestamp => ErrorCode.InvalidTimestamp,
        RecordValidationError.UnsupportedCompressionType => ErrorCode.UnsupportedCompressionType,
        RecordValidationError.RecordTooLarge => ErrorCode.MessageTooLarge,
        RecordValidationError.UnsupportedMagic => ErrorCode.UnsupportedForMessageFormat,
        _ => ErrorCode.CorruptMessage,
    };
}
