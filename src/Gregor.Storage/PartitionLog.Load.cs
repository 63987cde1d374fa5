using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Opens a partition directory. Leftovers of interrupted operations are settled first: ".deleted",
    /// ".cleaned" and ".tmp" files are removed, ".swap" files (a cleaner swap that had begun) replace
    /// their live segment, indexes without a log are removed. After a crash (no clean-shutdown
    /// marker) every segment from the recovery point on is scanned batch by batch and cut at the
    /// first bad batch, later segments dropped, indexes rebuilt, then fsynced before the recovery
    /// point moves. Segments not scanned have their indexes sanity-checked and rebuilt if wrong.
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

    private void RecoverSegments(LoadState state, HashSet<long> forceRecover)
    {
        var config = Config;
        var contiguous = !config.Compact && state.CleanerCheckpoint is null;
        Func<long, int, bool>? epochIsValid = LeaderEpochCache.Entries.Count == 0 ? null : LeaderEpochCache.IsConsistent;
        var recoveryPoint = state.CleanShutdown ? long.MaxValue : Math.Max(0, state.RecoveryPoint ?? 0);
        var recovered = false;
        for (var i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            var isLast = i == _segments.Count - 1;
            var unflushed = !state.CleanShutdown && (isLast || _segments[i + 1].BaseOffset > recoveryPoint);
            string? problem = null;
            if (!unflushed && !forceRecover.Contains(segment.BaseOffset) && segment.TryLoadClean(out problem))
            {
                if (!isLast)
                {
                    segment.OnBecomeInactive();
                }
                continue;
            }
            if (problem is not null)
            {
                _logger.LogWarning("{Partition}: rebuilding indexes of {File}: {Problem}", TopicPartition, segment.LogPath, problem);
            }
            else if (!state.CleanShutdown)
            {
                _logger.LogInformation("{Partition}: recovering unflushed segment {File}", TopicPartition, segment.LogPath);
            }
            var result = segment.Recover(config.IndexIntervalBytes, contiguous, epochIsValid);
            recovered = true;
            if (!isLast)
            {
                segment.OnBecomeInactive();
            }
            if (!result.Truncated)
            {
                continue;
            }
            _logger.LogWarning("{Partition}: {File} cut at position {Position}: {Reason}; dropped {Bytes} bytes, log now ends at offset {Offset}",
                TopicPartition, segment.LogPath, result.ValidBytes, result.Reason, result.TruncatedBytes, result.NextOffset);
            for (var j = _segments.Count - 1; j > i; j--)
            {
                var later = _segments[j];
                _logger.LogWarning("{Partition}: dropping segment {File} ({Bytes} bytes) after the corruption", TopicPartition, later.LogPath, later.Size);
                _segments.RemoveAt(j);
                later.DisposeAndDelete();
            }
            if (segment.IsEmpty && i > 0)
            {
                // Keep an empty segment only as the active one at the log end; it stays.
            }
            break;
        }
        if (_segments.Count > 0)
        {
            var last = _segments[^1];
            if (recovered)
            {
                foreach (var s in _segments)
                {
                    if (s.NextOffset > Math.Min(recoveryPoint, last.NextOffset) || s == last)
                    {
                        s.Flush();
                    }
                }
                _recoveryPoint = last.NextOffset;
            }
            else
            {
                _recoveryPoint = Math.Min(state.CleanShutdown ? last.NextOffset : recoveryPoint, last.NextOffset);
            }
        }
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
