using System.Runtime.InteropServices;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// The produce path for one partition: converts legacy message sets (magic 0/1) to a v2 batch,
/// validates v2 batches (CRC-32C, lengths, codec, decompressed size), appends them as the leader,
/// moves the high watermark (single node: every append is fully replicated) and wakes parked
/// fetches. The record bytes are patched in place in the request buffer and written as received.
/// </summary>
public static class PartitionAppender
{
    /// <summary>Offset of the magic byte, the same in legacy messages and v2 batches.</summary>
    private const int MagicOffset = 16;

    public static async ValueTask<AppendResult> AppendAsync(Partition partition, ReadOnlyMemory<byte> records)
    {
        var log = partition.Log;
        var config = log.Config;
        if (records.Length < RecordBatch.LogOverhead + 5)
        {
            return AppendResult.Failed(ErrorCode.CorruptMessage, $"record set of {records.Length} bytes is too short", log.LogStartOffset);
        }
        var options = new BatchValidationOptions { MaxBatchBytes = config.MaxMessageBytes, MaxDecompressedBytes = config.MaxDecompressedBytes };
        Memory<byte> batches;
        var magic = records.Span[MagicOffset];
        if (magic < RecordBatch.CurrentMagic)
        {
            var converted = LegacyMessageConverter.TryConvertToV2(records.Span, options, out var batch, out var conversionError);
            if (converted != RecordValidationError.None || batch is null)
            {
                return AppendResult.Failed(Map(converted), conversionError, log.LogStartOffset);
            }
            batches = batch;
        }
        else
        {
            var error = RecordBatchValidator.Validate(records.Span, options, out var message);
            if (error != RecordValidationError.None)
            {
                return AppendResult.Failed(Map(error), message, log.LogStartOffset);
            }
            // The request buffer belongs to this request alone: patching it in place is safe.
            batches = MemoryMarshal.AsMemory(records);
        }
        AppendInfo info;
        try
        {
            info = await log.AppendAsync(batches, partition.LeaderEpoch).ConfigureAwait(false);
        }
        catch (LogAppendException e)
        {
            return AppendResult.Failed(Map(e.Error), e.Message, log.LogStartOffset);
        }
        log.UpdateHighWatermark(log.LogEndOffset);
        partition.SignalDataArrived();
        return new AppendResult(ErrorCode.None, info.FirstOffset, info.LogAppendTime, info.LogStartOffset, null);
    }

    public static ErrorCode Map(RecordValidationError error) => error switch
    {
        RecordValidationError.None => ErrorCode.None,
        RecordValidationError.CorruptMessage => ErrorCode.CorruptMessage,
        RecordValidationError.InvalidRecord => ErrorCode.InvalidRecord,
        RecordValidationError.UnsupportedCompressionType => ErrorCode.UnsupportedCompressionType,
        RecordValidationError.RecordTooLarge => ErrorCode.MessageTooLarge,
        RecordValidationError.UnsupportedMagic => ErrorCode.UnsupportedForMessageFormat,
        _ => ErrorCode.CorruptMessage,
    };
}
