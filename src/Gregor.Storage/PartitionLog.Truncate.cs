using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Removes every batch whose last offset is ≥ <paramref name="offset"/> (a follower diverging
    /// from its leader). Truncation is by whole batches: the new log end is the end of the last
    /// batch kept, which is <paramref name="offset"/> when it is a batch boundary. Below the log
    /// start the log is emptied and restarted at <paramref name="offset"/>. The producer snapshots
    /// above the new end are deleted and the producer state is rebuilt from the newest one left
    /// (at most one segment is scanned when that segment's roll snapshot exists).
    /// </summary>
    public void TruncateTo(long offset)
    {
        lock (_lock)
        {
            if (offset >= _logEndOffset)
            {
                return;
            }
            if (offset < _segments[0].BaseOffset || offset < _logStartOffset)
            {
                TruncateFullyAndStartAtLocked(offset);
                return;
            }
            var removed = new List<LogSegment>();
            while (_segments.Count > 1 && Active.BaseOffset >= offset)
            {
                removed.Add(Active);
                _segments.RemoveAt(_segments.Count - 1);
            }
            var bytes = Active.TruncateTo(offset);
            Active.OffsetIndex.ResizeToMax();
            Active.TimeIndex.ResizeToMax();
            foreach (var s in removed)
            {
                bytes += s.Size;
                ScheduleDelete(s);
            }
            SetLogEndOffset(Active.NextOffset);
            AfterTruncation();
            LoadProducerState();
            _logger.LogInformation("{Partition}: truncated to offset {Offset}, log end offset now {LogEndOffset}, {Bytes} bytes removed",
                TopicPartition, offset, _logEndOffset, bytes);
        }
    }

    /// <summary>Deletes all segments and producer snapshots and starts an empty log at <paramref name="offset"/> (log start = log end = offset).</summary>
    public void TruncateFullyAndStartAt(long offset)
    {
        lock (_lock)
        {
            TruncateFullyAndStartAtLocked(offset);
        }
    }

    private void TruncateFullyAndStartAtLocked(long offset)
    {
        foreach (var s in _segments)
        {
            ScheduleDelete(s);
        }
        _segments.Clear();
        _segments.Add(LogSegment.Open(Directory, offset, Config, NowMs, writable: true, fresh: true));
        SetLogEndOffset(offset);
        Volatile.Write(ref _logStartOffset, offset);
        Volatile.Write(ref _highWatermark, offset);
        Volatile.Write(ref _recoveryPoint, offset);
        _unflushedMessages = 0;
        LeaderEpochCache.Clear();
        ResetProducerState(offset);
        _logger.LogInformation("{Partition}: truncated fully, log restarts at offset {Offset}", TopicPartition, offset);
    }

    private void AfterTruncation()
    {
        if (_highWatermark > _logEndOffset)
        {
            Volatile.Write(ref _highWatermark, _logEndOffset);
        }
        if (_recoveryPoint > _logEndOffset)
        {
            Volatile.Write(ref _recoveryPoint, _logEndOffset);
        }
        if (_logStartOffset > _logEndOffset)
        {
            Volatile.Write(ref _logStartOffset, _logEndOffset);
        }
        LeaderEpochCache.TruncateFromEnd(_logEndOffset);
    }

    /// <summary>
    /// DeleteRecords: moves the log start offset up to <paramref name="offset"/> (at most the high
    /// watermark). Reads below it fail at once; segments wholly below it go at the next retention pass.
    /// Returns the new log start offset.
    /// </summary>
    public long DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            if (offset > _highWatermark || offset < 0)
            {
                throw new OffsetOutOfRangeException($"{TopicPartition}: cannot delete records before {offset}: high watermark is {_highWatermark}");
            }
            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
                LeaderEpochCache.TruncateFromStart(offset);
                _logger.LogInformation("{Partition}: log start offset moved to {Offset}", TopicPartition, offset);
            }
            return _logStartOffset;
        }
    }
}
