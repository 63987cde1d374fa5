using System.Buffers;
using System.Collections.Concurrent;
using Gregor.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Cleaner;

/// <summary>
/// Compaction for cleanup.policy=compact (and compact,delete): keeps the latest record per key in
/// closed segments. A log is cleaned when dirty bytes (written since the last cleaning, recorded in
/// cleaner-offset-checkpoint as the first dirty offset) reach min.cleanable.dirty.ratio of the
/// cleanable bytes. Segments whose largest timestamp is younger than min.compaction.lag.ms, the
/// active segment and anything at or past the high watermark are not cleanable.
/// <para>
/// One pass: build key → last offset over the dirty range, then rewrite every cleanable segment
/// keeping a record only when no later offset has its key; records without a key are dropped.
/// A tombstone (null value) survives delete.retention.ms: the first cleaning that keeps it stamps
/// its batch with a delete horizon (now + delete.retention.ms, the KIP-534 attribute) and a later
/// cleaning after the horizon removes it. Batches keep their base offset, offset deltas, producer
/// fields and leader epoch; batches left empty are dropped. Each rewritten segment is swapped in
/// atomically (.cleaned → .swap → live).
/// </para>
/// <para>Ownership: one cleaner thread; the checkpoint map is concurrent; segment swaps take the partition lock.</para>
/// </summary>
public sealed class LogCleaner
{
    private readonly LogManager _manager;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _backoff;
    private readonly ConcurrentDictionary<TopicPartition, long> _firstDirtyOffsets = new();
    private CancellationTokenSource? _stopping;
    private Thread? _thread;

    internal LogCleaner(LogManager manager, ILogger logger, TimeProvider time, long backoffMs)
    {
        _backoff = TimeSpan.FromMilliseconds(backoffMs);
        _manager = manager;
        _logger = logger;
        _time = time;
    }

    /// <summary>First dirty offset per partition (cleaner-offset-checkpoint).</summary>
    public IReadOnlyDictionary<TopicPartition, long> Checkpoints => _firstDirtyOffsets;

    internal void SetCheckpoint(TopicPartition tp, long firstDirtyOffset) => _firstDirtyOffsets[tp] = firstDirtyOffset;

    internal void Forget(TopicPartition tp) => _firstDirtyOffsets.TryRemove(tp, out _);

    internal void WriteCheckpoints() => _manager.WriteCleanerCheckpoints(_firstDirtyOffsets);

    internal void Start()
    {
        _stopping = new CancellationTokenSource();
        var token = _stopping.Token;
        _thread = new Thread(() => Run(token)) { IsBackground = true, Name = "log-cleaner" };
        _thread.Start();
    }

    internal void Stop()
    {
        _stopping?.Cancel();
        _thread?.Join();
        _thread = null;
    }

    private void Run(CancellationToken token)
    {
        var backoff = _backoff;
        while (!token.IsCancellationRequested)
        {
            bool cleaned;
            try
            {
                cleaned = RunOnce();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException or InvalidOperationException)
            {
                _logger.LogError(e, "Log cleaner pass failed");
                cleaned = false;
            }
            if (!cleaned)
            {
                token.WaitHandle.WaitOne(backoff);
            }
        }
    }

    /// <summary>Cleans the dirtiest compacted log whose dirty ratio is high enough; false when none qualified.</summary>
    public bool RunOnce()
    {
        PartitionLog? best = null;
        var bestRatio = 0.0;
        foreach (var log in _manager.AllLogs)
        {
            var config = log.Config;
            if (!config.Compact || log.IsOffline)
            {
                continue;
            }
            var ratio = DirtyRatio(log, out _);
            if (ratio >= config.MinCleanableDirtyRatio && ratio > bestRatio)
            {
                best = log;
                bestRatio = ratio;
            }
        }
        return best is not null && Clean(best) is not null;
    }

    /// <summary>Dirty bytes / cleanable bytes of a log (0 when nothing is cleanable).</summary>
    public double DirtyRatio(PartitionLog log, out long dirtyBytes)
    {
        var (cleanable, firstDirty) = Cleanable(log);
        long clean = 0;
        dirtyBytes = 0;
        foreach (var s in cleanable)
        {
            if (s.BaseOffset >= firstDirty)
            {
                dirtyBytes += s.Size;
            }
            else
            {
                clean += s.Size;
            }
        }
        return clean + dirtyBytes == 0 ? 0 : (double)dirtyBytes / (clean + dirtyBytes);
    }

    private (List<LogSegment> Segments, long FirstDirty) Cleanable(PartitionLog log)
    {
        var (closed, activeBase, highWatermark) = log.SnapshotForCleaning();
        var config = log.Config;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var firstDirty = _firstDirtyOffsets.TryGetValue(log.TopicPartition, out var d) ? d : 0;
        firstDirty = Math.Max(firstDirty, log.LogStartOffset);
        var result = new List<LogSegment>();
        for (var i = 0; i < closed.Count; i++)
        {
            var s = closed[i];
            var end = i + 1 < closed.Count ? closed[i + 1].BaseOffset : activeBase;
            if (end > highWatermark || (config.MinCompactionLagMs > 0 && now - s.LargestTimestamp < config.MinCompactionLagMs))
            {
                break;
            }
            result.Add(s);
        }
        return (result, firstDirty);
    }

    /// <summary>
    /// Cleans one log now if it has cleanable segments (and, unless <paramref name="force"/>, its
    /// dirty ratio reaches min.cleanable.dirty.ratio). Returns null when nothing was done.
    /// </summary>
    public CleanResult? Clean(PartitionLog log, bool force = false)
    {
        var config = log.Config;
        var (segments, firstDirty) = Cleanable(log);
        if (segments.Count == 0)
        {
            return null;
        }
        if (!force && DirtyRatio(log, out _) < config.MinCleanableDirtyRatio)
        {
            return null;
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var endOffset = segments[^1].NextOffset;
        var offsetMap = new Dictionary<byte[], long>(ByteArrayComparer.Instance);
        foreach (var s in segments)
        {
            if (s.BaseOffset >= firstDirty)
            {
                ForEachBatch(s, config, batch => BuildOffsetMap(batch, config, offsetMap));
            }
        }
        long before = 0, after = 0, removed = 0, tombstones = 0;
        foreach (var s in segments)
        {
            before += s.Size;
            var cleaned = log.OpenCleanedSegment(s.BaseOffset);
            try
            {
                ForEachBatch(s, config, batch =>
                {
                    var rewritten = FilterBatch(batch, config, offsetMap, now, ref removed, ref tombstones);
                    if (rewritten is { Length: > 0 } bytes)
                    {
                        cleaned.Append(bytes, RecordBatch.LastOffset(bytes), RecordBatch.MaxTimestamp(bytes), config.IndexIntervalBytes);
                    }
                });
                cleaned.OnBecomeInactive();
                cleaned.Flush();
            }
            catch
            {
                cleaned.DisposeAndDelete();
                throw;
            }
            after += cleaned.Size;
            log.ReplaceSegment(s, cleaned);
        }
        _firstDirtyOffsets[log.TopicPartition] = Math.Max(endOffset, firstDirty);
        WriteCheckpoints();
        _logger.LogInformation("{Partition}: cleaned offsets [{Start}, {End}): {Before} → {After} bytes, {Removed} records and {Tombstones} tombstones removed",
            log.TopicPartition, segments[0].BaseOffset, endOffset, before, after, removed, tombstones);
        return new CleanResult(segments[0].BaseOffset, endOffset, before, after, removed, tombstones);
    }

    private delegate void BatchAction(ReadOnlySpan<byte> batch);

    private static void ForEachBatch(LogSegment segment, LogConfig config, BatchAction action)
    {
        var position = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (segment.TryReadHeader(position, out var header))
            {
                if (buffer.Length < header.Size)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(header.Size);
                }
                var region = new FileRegion(segment.Handle, segment.LogPath, position, header.Size);
                if (region.CopyTo(buffer) != header.Size)
                {
                    throw new InvalidDataException($"{segment.LogPath}: short read at {position}");
                }
                var batch = buffer.AsSpan(0, header.Size);
                if (!RecordBatch.IsCrcValid(batch))
                {
                    throw new InvalidDataException($"{segment.LogPath}: CRC mismatch in the batch at position {position}");
                }
                action(batch);
                position += header.Size;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void BuildOffsetMap(ReadOnlySpan<byte> batch, LogConfig config, Dictionary<byte[], long> map)
    {
        if (RecordBatch.IsControl(batch))
        {
            return;
        }
        if (!DecodedRecords.TryDecode(batch, config.MaxDecompressedBytes, out var records, out var error))
        {
            throw new InvalidDataException(error);
        }
        using (records)
        {
            var baseOffset = RecordBatch.BaseOffset(batch);
            var reader = new RecordReader(records.Span);
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out error))
                {
                    throw new InvalidDataException(error);
                }
                if (!record.KeyIsNull)
                {
                    map[record.Key.ToArray()] = baseOffset + record.OffsetDelta;
                }
            }
        }
    }

    /// <summary>The batch to keep (the same bytes when nothing changes), or null when nothing of it survives.</summary>
    private static byte[]? FilterBatch(ReadOnlySpan<byte> batch, LogConfig config, Dictionary<byte[], long> map, long now, ref long removed, ref long tombstones)
    {
        if (RecordBatch.IsControl(batch))
        {
            return batch.ToArray();
        }
        if (!DecodedRecords.TryDecode(batch, config.MaxDecompressedBytes, out var records, out var error))
        {
            throw new InvalidDataException(error);
        }
        using (records)
        {
            var baseOffset = RecordBatch.BaseOffset(batch);
            var baseTimestamp = RecordBatch.BaseTimestamp(batch);
            var hasHorizon = RecordBatch.HasDeleteHorizon(batch);
            var horizonPassed = hasHorizon && now >= baseTimestamp;
            var builder = new RecordBatchBuilder(RecordBatch.Compression(batch), RecordBatch.TimestampType(batch))
            {
                ProducerId = RecordBatch.ProducerId(batch),
                ProducerEpoch = RecordBatch.ProducerEpoch(batch),
                BaseSequence = RecordBatch.BaseSequence(batch),
                IsTransactional = RecordBatch.IsTransactional(batch),
            };
            var reader = new RecordReader(records.Span);
            var dropped = false;
            var keptTombstone = false;
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out error))
                {
                    throw new InvalidDataException(error);
                }
                var offset = baseOffset + record.OffsetDelta;
                var superseded = record.KeyIsNull || (map.TryGetValue(record.Key.ToArray(), out var latest) && latest > offset);
                if (superseded || (record.ValueIsNull && horizonPassed))
                {
                    dropped = true;
                    removed++;
                    if (!superseded)
                    {
                        tombstones++;
                    }
                    continue;
                }
                keptTombstone |= record.ValueIsNull;
                // With a delete horizon the base timestamp is the horizon, not a record time; record times stay base + delta.
                var timestamp = baseTimestamp + record.TimestampDelta;
                builder.Append(timestamp, record.Key, record.KeyIsNull, record.Value, record.ValueIsNull, record.HeaderCount, record.Headers, record.OffsetDelta);
            }
            if (builder.Count == 0)
            {
                return null;
            }
            var needHorizon = keptTombstone && !hasHorizon;
            if (!dropped && !needHorizon)
            {
                return batch.ToArray();
            }
            long? horizon = hasHorizon && keptTombstone ? baseTimestamp : needHorizon ? now + config.DeleteRetentionMs : null;
            return builder.Build(baseOffset, RecordBatch.PartitionLeaderEpoch(batch), horizon, RecordBatch.LastOffsetDelta(batch));
        }
    }
}
