using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Opens a partition directory. Leftovers of interrupted operations are settled first: ".deleted",
    /// ".cleaned" and ".tmp" files are removed, ".swap" files (a cleaner swap that had begun) replace
    /// their live segment, indexes without a log are removed. After a crash (no clean-shutdown
    /// marker) or a lost index, segments are scanned and cut as <see cref="RecoverSegments"/> says.
    /// The producer state is then rebuilt from the newest snapshot at or below the log end.
    /// </summary>
    internal static PartitionLog Load(string dir, TopicPartition tp, LogConfig config, LoadState state, TimeProvider time, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(dir);
        var log = new PartitionLog(dir, tp, config, time, logger);
        var forceRecover = new HashSet<long>();
        foreach (var file in System.IO.Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal) ||
                name.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal) ||
                name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                File.Delete(file);
            }
        }
        foreach (var file in System.IO.Directory.GetFiles(dir, "*" + LogFileNames.SwapSuffix))
        {
            var live = file[..^LogFileNames.SwapSuffix.Length];
            if (live.EndsWith(LogFileNames.LogSuffix, StringComparison.Ordinal) && LogFileNames.TryParseBaseOffset(live, out var b))
            {
                logger.LogInformation("{Partition}: completing interrupted segment swap {File}", tp, file);
                File.Move(file, live, overwrite: true);
                forceRecover.Add(b);
                File.Delete(LogFileNames.IndexFile(dir, b));
                File.Delete(LogFileNames.TimeIndexFile(dir, b));
            }
            else
            {
                File.Delete(file);
            }
        }
        var baseOffsets = new List<long>();
        foreach (var file in System.IO.Directory.GetFiles(dir))
        {
            var name = Path.GetFileName(file);
            if (!LogFileNames.TryParseBaseOffset(name, out var b))
            {
                continue;
            }
            if (name.EndsWith(LogFileNames.LogSuffix, StringComparison.Ordinal))
            {
                baseOffsets.Add(b);
            }
            else if ((name.EndsWith(LogFileNames.IndexSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileNames.TimeIndexSuffix, StringComparison.Ordinal)) &&
                     !File.Exists(LogFileNames.LogFile(dir, b)))
            {
                logger.LogWarning("{Partition}: removing index {File} that has no log file", tp, file);
                File.Delete(file);
            }
        }
        try
        {
            baseOffsets.Sort();
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            for (var i = 0; i < baseOffsets.Count; i++)
            {
                log._segments.Add(LogSegment.Open(dir, baseOffsets[i], config, now, writable: i == baseOffsets.Count - 1));
            }
            log.RecoverSegments(state, forceRecover);
            if (log._segments.Count == 0)
            {
                var start = Math.Max(0, state.LogStartOffset ?? 0);
                log._segments.Add(LogSegment.Open(dir, start, config, now, writable: true, fresh: true));
            }
            var active = log.Active;
            active.OffsetIndex.ResizeToMax();
            active.TimeIndex.ResizeToMax();
            log.SetLogEndOffset(active.NextOffset);
            var lso = Math.Max(state.LogStartOffset ?? log._segments[0].BaseOffset, log._segments[0].BaseOffset);
            log._logStartOffset = Math.Min(lso, log._logEndOffset);
            log._highWatermark = Math.Clamp(state.HighWatermark ?? log._logStartOffset, log._logStartOffset, log._logEndOffset);
            log.LeaderEpochCache.TruncateFromEnd(log._logEndOffset);
            log.LeaderEpochCache.TruncateFromStart(log._logStartOffset);
            log.LoadProducerState();
        }
        catch
        {
            // Out of descriptors (or a failed recovery) part-way: the segments opened so far are closed, so the failed load holds nothing.
            foreach (var segment in log._segments)
            {
                segment.Dispose();
            }
            throw;
        }
        logger.LogInformation("{Partition}: loaded {Segments} segments, log start offset {LogStartOffset}, log end offset {LogEndOffset}",
            tp, log._segments.Count, log._logStartOffset, log._logEndOffset);
        return log;
    }

    /// <summary>
    /// Clean close: fsync, trim the active segment's indexes to their entries, snapshot the producer
    /// state at the log end, close files and remove pending deletions. The log manager writes
    /// checkpoints and the clean-shutdown marker afterwards.
    /// </summary>
    public void Close() => Close(snapshotProducers: true);

    private void Close(bool snapshotProducers)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }
            foreach (var s in _segments)
            {
                if (s.NextOffset > _recoveryPoint || s == Active)
                {
                    s.Flush();
                }
            }
            Volatile.Write(ref _recoveryPoint, _logEndOffset);
            Active.OffsetIndex.TrimToValidSize();
            Active.TimeIndex.TrimToValidSize();
            Active.Flush();
            if (snapshotProducers && _logEndOffset > 0)
            {
                // After the segments' fsync, so a clean restart starts from the log end and scans nothing.
                TakeProducerSnapshot(_logEndOffset, sync: true);
            }
            _closed = true;
            foreach (var s in _segments)
            {
                s.Dispose();
            }
        }
        DeletePendingFiles(force: true);
    }

    /// <summary>Closes file handles without flushing or trimming: what a killed process leaves (tests).</summary>
    internal void CloseAbruptly()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var s in _segments)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>Closes and removes the whole partition directory (topic deletion).</summary>
    public void Delete()
    {
        Close(snapshotProducers: false);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
