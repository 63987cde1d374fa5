using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// One retention pass: deletes closed segments, oldest first, while they are wholly below the log
    /// start offset, or (cleanup.policy contains delete) older than retention.ms by their largest
    /// timestamp, or while the log exceeds retention.bytes by at least the segment's size. The
    /// active segment is never deleted; the producer snapshots of deleted segments go with them.
    /// Returns the number of segments deleted.
    /// </summary>
    public int DeleteOldSegments()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return 0;
            }
            var config = Config;
            var now = NowMs;
            long total = 0;
            foreach (var s in _segments)
            {
                total += s.Size;
            }
            var excess = config.Delete && config.RetentionBytes >= 0 ? total - config.RetentionBytes : long.MinValue;
            var deleted = 0;
            while (_segments.Count > 1)
            {
                var oldest = _segments[0];
                var next = _segments[1];
                string reason;
                if (next.BaseOffset <= _logStartOffset)
                {
                    reason = $"below the log start offset {_logStartOffset}";
                }
                else if (config.Delete && config.RetentionMs >= 0 && now - oldest.LargestTimestamp > config.RetentionMs)
                {
                    reason = $"largest timestamp {oldest.LargestTimestamp} is past retention.ms {config.RetentionMs}";
                }
                else if (excess != long.MinValue && excess - oldest.Size >= 0)
                {
                    excess -= oldest.Size;
                    reason = $"log size is past retention.bytes {config.RetentionBytes}";
                }
                else
                {
                    break;
                }
                _segments.RemoveAt(0);
                _logger.LogInformation("{Partition}: deleting segment {File} ({Reason})", TopicPartition, oldest.LogPath, reason);
                ScheduleDelete(oldest);
                deleted++;
            }
            if (deleted > 0 && _segments[0].BaseOffset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, _segments[0].BaseOffset);
                if (_highWatermark < _logStartOffset)
                {
                    Volatile.Write(ref _highWatermark, _logStartOffset);
                }
                LeaderEpochCache.TruncateFromStart(_logStartOffset);
            }
            if (deleted > 0)
            {
                RemoveStrayProducerSnapshots();
            }
            return deleted;
        }
    }

    /// <summary>Renames the segment's files to ".deleted"; they are closed and removed after file.delete.delay.ms.</summary>
    private void ScheduleDelete(LogSegment segment)
    {
        try
        {
            segment.ChangeSuffix(LogFileNames.DeletedSuffix);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "{Partition}: could not rename {File} for deletion", TopicPartition, segment.LogPath);
        }
        var delay = Config.FileDeleteDelayMs;
        if (delay <= 0)
        {
            segment.DisposeAndDelete();
            return;
        }
        _pendingDeletes.Add((segment, NowMs + delay));
    }

    /// <summary>Removes ".deleted" segments whose delay has passed (all of them when <paramref name="force"/>).</summary>
    internal void DeletePendingFiles(bool force = false)
    {
        lock (_lock)
        {
            var now = NowMs;
            for (var i = _pendingDeletes.Count - 1; i >= 0; i--)
            {
                if (force || _pendingDeletes[i].DueMs <= now)
                {
                    _pendingDeletes[i].Segment.DisposeAndDelete();
                    _pendingDeletes.RemoveAt(i);
                }
            }
        }
    }
}
