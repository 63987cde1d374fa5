using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>The closed segments, the active segment's base offset and the high watermark, for the cleaner.</summary>
    internal (List<LogSegment> Closed, long ActiveBaseOffset, long HighWatermark) SnapshotForCleaning()
    {
        lock (_lock)
        {
            return (_segments.GetRange(0, _segments.Count - 1), Active.BaseOffset, _highWatermark);
        }
    }

    internal LogSegment OpenCleanedSegment(long baseOffset) =>
        LogSegment.Open(Directory, baseOffset, Config, NowMs, writable: true, suffix: LogFileNames.CleanedSuffix, fresh: true);

    /// <summary>
    /// Swaps a cleaned segment in for <paramref name="old"/>: ".cleaned" → ".swap", old → ".deleted",
    /// ".swap" → live. A crash at any point leaves either the old segment or a ".swap" file that
    /// start-up completes. Returns false (and discards the cleaned copy) if the old segment is gone.
    /// </summary>
    internal bool ReplaceSegment(LogSegment old, LogSegment cleaned)
    {
        lock (_lock)
        {
            var index = _segments.IndexOf(old);
            if (index < 0 || index == _segments.Count - 1 || _closed)
            {
                cleaned.DisposeAndDelete();
                return false;
            }
            cleaned.ChangeSuffix(LogFileNames.SwapSuffix);
            ScheduleDelete(old);
            cleaned.ChangeSuffix("");
            _segments[index] = cleaned;
            _logger.LogDebug("{Partition}: swapped in cleaned segment {File} ({Before} → {After} bytes)", TopicPartition, cleaned.LogPath, old.Size, cleaned.Size);
            return true;
        }
    }
}
