using Gregor.Storage.Producers;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

/// <summary>
/// The log owns its partition's idempotent-producer state, as Kafka's log does, and keeps the
/// snapshot files in step with its segments:
/// <list type="bullet">
/// <item>Every appended batch is applied to the state under the log lock right after it is
/// written, so when a segment rolls the state covers exactly the log below the new segment.</item>
/// <item>At every roll the state is written, under the lock, as the snapshot named after the new
/// segment's base offset, without fsync: one small synchronous write per segment on the append
/// that rolls, as Kafka takes it on roll. The rolled segment's background flush fsyncs the
/// snapshot, then the segment, and only then moves the recovery point.</item>
/// <item>A clean close writes one at the log end, fsynced, so a clean restart scans nothing.</item>
/// <item>Load (after a crash or not) and truncation rebuild the state from the newest usable
/// snapshot at or below the log end plus the batches after it: after a crash, the segments since
/// the last roll whose snapshot reached the disk, not everything since the last clean stop.</item>
/// <item>Which snapshots are kept after a roll, a close, a load, a retention pass that removed
/// segments and a truncation: <see cref="ProducerStateManager.RemoveStraySnapshots"/>.</item>
/// </list>
/// A snapshot at offset X is valid while the log below X is what it was when the snapshot was
/// taken: truncation deletes every snapshot above the new end, and a crash that lost data below X
/// leaves the recovered log end below X (recovery cuts at the first torn batch and drops the
/// segments after it), so loading deletes it.
/// </summary>
public sealed partial class PartitionLog
{
    private ProducerStateManager _producers;

    /// <summary>The partition's idempotent producers. Truncation replaces the instance: read it once per operation.</summary>
    public ProducerStateManager Producers => Volatile.Read(ref _producers);

    /// <summary>Rebuilds the producer state at the current log end. Caller holds the lock, or the log is not published yet.</summary>
    private void LoadProducerState()
    {
        Volatile.Write(ref _producers, ProducerStateManager.Load(this, _logger));
        RemoveStrayProducerSnapshots();
    }

    /// <summary>Empty producer state for a log restarting at <paramref name="offset"/>; every snapshot goes. Caller holds the lock.</summary>
    private void ResetProducerState(long offset) => Volatile.Write(ref _producers, ProducerStateManager.StartAt(Directory, offset));

    /// <summary>
    /// Writes the snapshot at <paramref name="offset"/> (fsynced only when <paramref name="sync"/>)
    /// and drops those no longer kept. Caller holds the lock, and the state covers exactly the log
    /// below <paramref name="offset"/>. Returns the path, or null when it could not be written: not
    /// fatal, a restart then starts from an older snapshot and scans more of the log.
    /// </summary>
    private string? TakeProducerSnapshot(long offset, bool sync)
    {
        try
        {
            var path = _producers.TakeSnapshot(offset, sync);
            // A follower's batch may start past the log end; the log end reaches it as the batch is appended.
            _producers.RemoveStraySnapshots(SegmentBasesLocked(), Math.Max(_logEndOffset, offset));
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("{Partition}: could not write the producer snapshot at offset {Offset}: {Error}", TopicPartition, offset, e.Message);
            return null;
        }
    }

    /// <summary>fsync of a snapshot written at a roll (background); a snapshot deleted meanwhile needs none.</summary>
    private void FlushProducerSnapshot(string path)
    {
        try
        {
            ProducerSnapshotFile.TryFlush(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("{Partition}: could not fsync producer snapshot {Path}: {Error}", TopicPartition, path, e.Message);
        }
    }

    /// <summary>After segments were removed (retention, truncation). Caller holds the lock.</summary>
    private void RemoveStrayProducerSnapshots()
    {
        try
        {
            _producers.RemoveStraySnapshots(SegmentBasesLocked(), _logEndOffset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("{Partition}: could not remove old producer snapshots: {Error}", TopicPartition, e.Message);
        }
    }

    private List<long> SegmentBasesLocked() => _segments.ConvertAll(s => s.BaseOffset);
}
