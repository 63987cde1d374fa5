using Gregor.Protocol.Records;
using Gregor.Storage.Producers;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Appends one or more validated v2 batches. As leader (<paramref name="assignOffsets"/>) each
    /// batch's base offset is patched to the log end offset and its partition leader epoch to
    /// <paramref name="leaderEpoch"/>, in place (neither field is covered by the CRC); with
    /// LogAppendTime the timestamp is stamped and the CRC recomputed. As follower the batches keep
    /// their offsets, which must start at or after the log end. As leader, idempotent batches are
    /// first checked against <see cref="Producers"/> (see <see cref="ValidateProducerState"/>). The
    /// bytes are then written as they are, and each is applied to <see cref="Producers"/>. Nothing is fsynced unless flush.messages
    /// is reached (then synchronously, see <see cref="AppendAsync"/> for group commit). No
    /// allocation in steady state.
    /// </summary>
    public AppendInfo Append(Span<byte> batches, int leaderEpoch, bool assignOffsets = true)
    {
        var info = AppendChecked(batches, leaderEpoch, assignOffsets, out var flushNeeded);
        if (flushNeeded)
        {
            Flush();
        }
        return info;
    }

    /// <summary>
    /// An I/O error while appending takes the log dir offline (see <see cref="IsOffline"/>):
    /// nothing of the failed append is acknowledged, and a restart recovers the dir.
    /// </summary>
    private AppendInfo AppendChecked(Span<byte> batches, int leaderEpoch, bool assignOffsets, out bool flushNeeded)
    {
        try
        {
            return AppendCore(batches, leaderEpoch, assignOffsets, out flushNeeded);
        }
        catch (IOException e)
        {
            throw StorageFailure("appending to", e);
        }
    }

    private AppendInfo AppendCore(Span<byte> batches, int leaderEpoch, bool assignOffsets, out bool flushNeeded)
    {
        var config = Config;
        CheckBatches(batches, config);
        lock (_lock)
        {
            if (_closed)
            {
                throw new ObjectDisposedException(ToString());
            }
            ThrowIfOffline();
            if (assignOffsets && ValidateProducerState(batches) is { } duplicate)
            {
                flushNeeded = false;
                return duplicate;
            }
            long firstOffset = -1, lastOffset = -1, appendTime = -1;
            int count = 0, records = 0;
            var position = 0;
            while (position < batches.Length)
            {
                var size = RecordBatch.SizeInBytes(batches[position..]);
                var batch = batches.Slice(position, size);
                position += size;
                long baseOffset;
                if (assignOffsets)
                {
                    baseOffset = _logEndOffset;
                    RecordBatch.SetBaseOffset(batch, baseOffset);
                    RecordBatch.SetPartitionLeaderEpoch(batch, leaderEpoch);
                    if (config.MessageTimestampType == TimestampType.LogAppendTime)
                    {
                        appendTime = NowMs;
                        RecordBatch.SetLogAppendTime(batch, appendTime);
                    }
                }
                else
                {
                    baseOffset = RecordBatch.BaseOffset(batch);
                    if (baseOffset < _logEndOffset)
                    {
                        throw new LogAppendException(RecordValidationError.InvalidRecord,
                            $"{TopicPartition}: batch base offset {baseOffset} is below the log end offset {_logEndOffset}");
                    }
                }
                var last = baseOffset + RecordBatch.LastOffsetDelta(batch);
                var epoch = RecordBatch.PartitionLeaderEpoch(batch);
                if (epoch > LeaderEpochCache.LatestEpoch)
                {
                    LeaderEpochCache.Assign(epoch, baseOffset);
                }
                MaybeRoll(size, baseOffset, last, RecordBatch.MaxTimestamp(batch), config);
                Active.Append(batch, last, RecordBatch.MaxTimestamp(batch), config.IndexIntervalBytes);
                _producers.Observe(batch);
                SetLogEndOffset(last + 1);
                if (firstOffset < 0)
                {
                    firstOffset = baseOffset;
                }
                lastOffset = last;
                count++;
                records += RecordBatch.RecordsCount(batch);
            }
            _unflushedMessages += records;
            flushNeeded = _unflushedMessages >= config.FlushIntervalMessages;
            return new AppendInfo(firstOffset, lastOffset, appendTime, _logStartOffset, count, records);
        }
    }

    /// <summary>
    /// Like <see cref="Append"/>, but when flush.messages is reached the returned task completes
    /// only after an fsync covering these batches: concurrent appends share one fsync (group
    /// commit), so flush.messages=1 acknowledges nothing that is not on disk without one fsync per
    /// append. Completes synchronously (no allocation) when no flush is due.
    /// </summary>
    public ValueTask<AppendInfo> AppendAsync(Memory<byte> batches, int leaderEpoch, bool assignOffsets = true)
    {
        var info = AppendChecked(batches.Span, leaderEpoch, assignOffsets, out var flushNeeded);
        if (!flushNeeded)
        {
            return ValueTask.FromResult(info);
        }
        return AwaitFlush(info);
    }

    private async ValueTask<AppendInfo> AwaitFlush(AppendInfo info)
    {
        await RequestGroupFlush().ConfigureAwait(false);
        return info;
    }

    /// <summary>
    /// Kafka's analyzeAndValidateProducerState, under the log lock, so no other append changes the
    /// producer state between the check of these batches and their write. A retry of one of the
    /// producer's last five batches, sent alone, is answered with its original offsets (returned,
    /// nothing written); a stale epoch, a sequence gap or a retry among other batches throws
    /// <see cref="ProducerStateException"/>, as Kafka decides. Every batch is checked against the
    /// state before this append, so nothing is written unless all pass.
    /// </summary>
    private AppendInfo? ValidateProducerState(ReadOnlySpan<byte> batches)
    {
        var producers = _producers;
        var alone = true;
        for (var rest = batches; rest.Length >= RecordBatch.HeaderSize; rest = rest[RecordBatch.SizeInBytes(rest)..], alone = false)
        {
            var producerId = RecordBatch.ProducerId(rest);
            if (producerId < 0)
            {
                continue;
            }
            var epoch = RecordBatch.ProducerEpoch(rest);
            var first = RecordBatch.BaseSequence(rest);
            // Sequences wrap from int.MaxValue to 0.
            var last = (int)((first + (long)RecordBatch.LastOffsetDelta(rest)) % ((long)int.MaxValue + 1));
            switch (producers.Check(producerId, epoch, first, last, out var duplicate))
            {
                case SequenceCheck.Duplicate when alone && rest.Length == RecordBatch.SizeInBytes(rest):
                    return new AppendInfo(duplicate.FirstOffset, duplicate.LastOffset, -1, _logStartOffset, 0, 0) { IsDuplicate = true };
                case SequenceCheck.Duplicate:
                    throw new ProducerStateException(SequenceCheck.Duplicate, $"batch {first}-{last} of producer {producerId} is a duplicate");
                case SequenceCheck.InvalidEpoch:
                    throw new ProducerStateException(SequenceCheck.InvalidEpoch,
                        $"epoch {epoch} of producer {producerId} is older than {producers.Find(producerId)?.Epoch}");
                case SequenceCheck.OutOfOrder:
                    throw new ProducerStateException(SequenceCheck.OutOfOrder,
                        $"out of order sequence number for producer {producerId}: {first} (incoming seq. number), {producers.Find(producerId)?.LastSequence} (current end sequence number)");
            }
        }
        return null;
    }

    /// <summary>Shallow checks the log itself relies on: whole batches, magic 2, size within max.message.bytes.</summary>
    private void CheckBatches(ReadOnlySpan<byte> batches, LogConfig config)
    {
        if (batches.Length == 0)
        {
            throw new LogAppendException(RecordValidationError.CorruptMessage, $"{TopicPartition}: empty append");
        }
        var position = 0;
        while (position < batches.Length)
        {
            var rest = batches[position..];
            if (rest.Length < RecordBatch.HeaderSize)
            {
                throw new LogAppendException(RecordValidationError.CorruptMessage, $"{TopicPartition}: partial batch at byte {position}");
            }
            var size = (long)RecordBatch.BatchLength(rest) + RecordBatch.LogOverhead;
            if (RecordBatch.Magic(rest) != RecordBatch.CurrentMagic)
            {
                throw new LogAppendException(RecordValidationError.UnsupportedMagic, $"{TopicPartition}: magic {RecordBatch.Magic(rest)} at byte {position}; convert legacy messages first");
            }
            if (size < RecordBatch.HeaderSize || size > rest.Length || RecordBatch.LastOffsetDelta(rest) < 0)
            {
                throw new LogAppendException(RecordValidationError.CorruptMessage, $"{TopicPartition}: bad batch length at byte {position}");
            }
            if (size > config.MaxMessageBytes || size > config.SegmentBytes)
            {
                throw new LogAppendException(RecordValidationError.RecordTooLarge, $"{TopicPartition}: batch of {size} bytes exceeds max.message.bytes {config.MaxMessageBytes}");
            }
            position += (int)size;
        }
    }

    /// <summary>Rolls when the batch would pass segment.bytes, segment.ms has passed, an index is full, or offsets would overflow the relative index.</summary>
    private void MaybeRoll(int size, long baseOffset, long lastOffset, long maxTimestamp, LogConfig config)
    {
        var active = Active;
        if (active.IsEmpty)
        {
            if (active.BaseOffset == baseOffset || active.BaseOffset > baseOffset)
            {
                return;
            }
        }
        else if (active.Size <= config.SegmentBytes - size &&
                 active.TimeWaitedForRoll(NowMs, maxTimestamp) <= config.SegmentMs &&
                 !active.IndexesFull &&
                 lastOffset - active.BaseOffset <= int.MaxValue)
        {
            return;
        }
        RollLocked(baseOffset);
    }

    /// <summary>Starts a new segment now (at the log end offset), unless the active one is empty.</summary>
    public void Roll()
    {
        lock (_lock)
        {
            if (!Active.IsEmpty)
            {
                RollLocked(_logEndOffset);
            }
        }
    }

    private void RollLocked(long newBaseOffset)
    {
        var old = Active;
        if (old.IsEmpty)
        {
            // An empty active segment at a lower base (e.g. a follower jumping ahead) is replaced.
            _segments.RemoveAt(_segments.Count - 1);
            old.DisposeAndDelete();
        }
        else
        {
            old.OnBecomeInactive();
        }
        var segment = LogSegment.Open(Directory, newBaseOffset, Config, NowMs, writable: true, fresh: true);
        _segments.Add(segment);
        _logger.LogDebug("{Partition}: rolled new segment at offset {Offset}", TopicPartition, newBaseOffset);
        // The producer snapshot is written here, on the append that rolls (a small write, once per
        // segment, as Kafka takes it on roll), and fsynced with the roll's flush, in the background
        // as Kafka's scheduler does: the snapshot, then the segments below the new one; the
        // recovery point moves after both.
        var snapshot = TakeProducerSnapshot(newBaseOffset, sync: false);
        _ = Task.Run(() =>
        {
            try
            {
                if (snapshot is not null)
                {
                    FlushProducerSnapshot(snapshot);
                }
                FlushUpTo(newBaseOffset);
            }
            catch (IOException e)
            {
                // Reported (once, for the dir) by the failure channel; appends now fail.
                StorageFailure("flushing", e);
            }
        });
    }
}
