using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Makes the segments just opened consistent, in Kafka's two passes (LogLoader
    /// loadSegmentFiles, then recoverLog):
    /// <list type="number">
    /// <item>On every start, a segment whose offset index is missing, one completed from an
    /// interrupted cleaner swap, or — when the second pass will not scan it — one whose indexes fail
    /// their checks, is scanned and its indexes rebuilt. A cut there loses the rest of that segment
    /// only: later segments are files of their own, checked on their own, and stay (reads step
    /// over the gap in offsets).</item>
    /// <item>After a crash (no clean-shutdown marker), the segments from the one holding the
    /// recovery point on were not known to be on disk. Each is scanned in order; the first one cut
    /// ends the log there and every later segment is deleted, as what was written after a lost
    /// write cannot be trusted. A segment the first pass rebuilt is not scanned again (a second
    /// scan would cut nothing).</item>
    /// </list>
    /// Every cut is logged with the file, the position, the reason and what was lost. Scanned
    /// segments are fsynced before the recovery point moves to the log end.
    /// </summary>
    private void RecoverSegments(LoadState state, HashSet<long> forceRecover)
    {
        var config = Config;
        var contiguous = !config.Compact && state.CleanerCheckpoint is null;
        Func<long, int, bool>? epochIsValid = LeaderEpochCache.Entries.Count == 0 ? null : LeaderEpochCache.IsConsistent;
        var recoveryPoint = Math.Max(0, state.RecoveryPoint ?? 0);
        var firstUnflushed = state.CleanShutdown ? _segments.Count : Math.Max(0, FloorSegment(recoveryPoint));
        var scanned = new bool[_segments.Count];
        for (var i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            string? problem;
            if (forceRecover.Contains(segment.BaseOffset))
            {
                problem = "completed from an interrupted swap";
            }
            else if (!segment.OffsetIndex.ExistedOnOpen)
            {
                problem = "offset index missing";
            }
            else if (i >= firstUnflushed || segment.TryLoadClean(out problem))
            {
                continue;
            }
            _logger.LogWarning("{Partition}: rebuilding indexes of {File}: {Problem}", TopicPartition, segment.LogPath, problem);
            var result = segment.Recover(config.IndexIntervalBytes, contiguous, epochIsValid);
            scanned[i] = true;
            if (result.Truncated)
            {
                var consequence = i == _segments.Count - 1
                    ? $"log now ends at offset {result.NextOffset}"
                    : $"offsets {result.NextOffset} to {_segments[i + 1].BaseOffset - 1} lost, later segments kept";
                LogCut(segment, result, consequence);
            }
        }
        for (var i = firstUnflushed; i < _segments.Count; i++)
        {
            if (scanned[i])
            {
                continue;
            }
            var segment = _segments[i];
            _logger.LogInformation("{Partition}: recovering unflushed segment {File}", TopicPartition, segment.LogPath);
            var result = segment.Recover(config.IndexIntervalBytes, contiguous, epochIsValid);
            scanned[i] = true;
            if (!result.Truncated)
            {
                continue;
            }
            var later = _segments.Count - 1 - i;
            LogCut(segment, result, later == 0
                ? $"log now ends at offset {result.NextOffset}"
                : $"log now ends at offset {result.NextOffset}, the {later} later segments are deleted");
            for (var j = _segments.Count - 1; j > i; j--)
            {
                var dropped = _segments[j];
                _logger.LogWarning("{Partition}: dropping segment {File} ({Bytes} bytes) after the corruption", TopicPartition, dropped.LogPath, dropped.Size);
                _segments.RemoveAt(j);
                dropped.DisposeAndDelete();
            }
            break;
        }
        if (_segments.Count == 0)
        {
            return;
        }
        for (var i = 0; i < _segments.Count - 1; i++)
        {
            _segments[i].OnBecomeInactive();
        }
        // Everything else was fsynced before the clean stop, or lies below the recovery point.
        for (var i = 0; i < _segments.Count; i++)
        {
            if (scanned[i])
            {
                _segments[i].Flush();
            }
        }
        _recoveryPoint = _segments[^1].NextOffset;
    }

    private void LogCut(LogSegment segment, SegmentRecoveryResult result, string consequence) =>
        _logger.LogWarning("{Partition}: {File} cut at position {Position}: {Reason}; dropped {Bytes} bytes, {Consequence}",
            TopicPartition, segment.LogPath, result.ValidBytes, result.Reason, result.TruncatedBytes, consequence);
}
