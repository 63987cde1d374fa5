using Gregor.Protocol.Records;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads whole batches starting with the one containing <paramref name="offset"/>, up to
    /// <paramref name="maxBytes"/> (the first batch is returned whole even if larger, unless
    /// <paramref name="minOneBatch"/> is false), never a batch starting at or after
    /// <paramref name="maxOffset"/> (the high watermark for consumers, the log end for followers).
    /// A read covers one segment, as in Kafka; the next read continues in the next segment.
    /// Throws <see cref="OffsetOutOfRangeException"/> outside [LogStartOffset, LogEndOffset], and
    /// <see cref="KafkaStorageException"/> when the log dir is offline or the read fails (which
    /// takes the dir offline).
    /// </summary>
    public LogReadResult Read(long offset, int maxBytes, long maxOffset = long.MaxValue, bool minOneBatch = true)
    {
        try
        {
            return ReadCore(offset, maxBytes, maxOffset, minOneBatch);
        }
        catch (IOException e)
        {
            throw StorageFailure("reading", e);
        }
    }

    private LogReadResult ReadCore(long offset, int maxBytes, long maxOffset, bool minOneBatch)
    {
        lock (_lock)
        {
            ThrowIfOffline();
            if (offset < _logStartOffset || offset > _logEndOffset)
            {
                throw new OffsetOutOfRangeException($"{TopicPartition}: offset {offset} is outside [{_logStartOffset}, {_logEndOffset}]");
            }
            if (offset < maxOffset && offset < _logEndOffset && maxBytes >= 0)
            {
                for (var i = Math.Max(0, FloorSegment(offset)); i < _segments.Count; i++)
                {
                    var segment = _segments[i];
                    if (!segment.TryFindBatch(offset, out var position, out var header))
                    {
                        continue;
                    }
                    if (header.BaseOffset >= maxOffset)
                    {
                        break;
                    }
                    var length = segment.MeasureBatches(position, maxBytes, maxOffset, minOneBatch);
                    if (length == 0)
                    {
                        break;
                    }
                    return new LogReadResult(new FileRegion(segment.Handle, segment.LogPath, position, length), header.BaseOffset,
                        _highWatermark, _logStartOffset, _logEndOffset);
                }
            }
            return new LogReadResult(FileRegion.Empty, -1, _highWatermark, _logStartOffset, _logEndOffset);
        }
    }

    /// <summary>
    /// ListOffsets by time: the first offset whose record timestamp is ≥ <paramref name="timestamp"/>
    /// and that record's timestamp, found through the time index; null when every record is older.
    /// -1 (latest) gives the log end offset, -2 (earliest) the log start offset, -3 (max timestamp)
    /// the offset of the record with the largest timestamp.
    /// </summary>
    public (long Offset, long Timestamp)? FetchOffsetForTimestamp(long timestamp)
    {
        lock (_lock)
        {
            ThrowIfOffline();
            switch (timestamp)
            {
                case -1:
                    return (_logEndOffset, -1);
                case -2:
                    return (_logStartOffset, -1);
                case -3:
                    {
                        long best = -1, bestOffset = -1;
                        foreach (var s in _segments)
                        {
                            if (s.MaxTimestampSoFar > best)
                            {
                                best = s.MaxTimestampSoFar;
                                bestOffset = s.OffsetOfMaxTimestampSoFar;
                            }
                        }
                        return bestOffset < 0 ? null : (Math.Max(bestOffset, _logStartOffset), best);
                    }
            }
            foreach (var segment in _segments)
            {
                if (segment.NextOffset <= _logStartOffset || Math.Max(segment.MaxTimestampSoFar, segment.TimeIndex.LastTimestamp) < timestamp)
                {
                    continue;
                }
                var (_, indexedOffset) = segment.TimeIndex.Lookup(timestamp);
                var from = Math.Max(indexedOffset, _logStartOffset);
                if (!segment.TryFindBatch(from, out var position, out _))
                {
                    continue;
                }
                var found = FindInSegment(segment, position, from, timestamp);
                if (found is not null)
                {
                    return found;
                }
            }
            return null;
        }
    }

    private (long Offset, long Timestamp)? FindInSegment(LogSegment segment, int position, long minOffset, long timestamp)
    {
        while (segment.TryReadHeader(position, out var header))
        {
            if (header.MaxTimestamp >= timestamp && header.LastOffset >= minOffset)
            {
                var bytes = new FileRegion(segment.Handle, segment.LogPath, position, header.Size).ToArray();
                if (!DecodedRecords.TryDecode(bytes, Config.MaxDecompressedBytes, out var records, out _))
                {
                    return null;
                }
                using (records)
                {
                    var logAppendTime = RecordBatch.TimestampType(bytes) == TimestampType.LogAppendTime;
                    var reader = new RecordReader(records.Span);
                    var baseTimestamp = RecordBatch.BaseTimestamp(bytes);
                    while (reader.TryRead(out var record, out _))
                    {
                        var ts = logAppendTime ? header.MaxTimestamp : baseTimestamp + record.TimestampDelta;
                        var offset = header.BaseOffset + record.OffsetDelta;
                        if (ts >= timestamp && offset >= minOffset)
                        {
                            return (offset, ts);
                        }
                    }
                }
            }
            position += header.Size;
        }
        return null;
    }
}
