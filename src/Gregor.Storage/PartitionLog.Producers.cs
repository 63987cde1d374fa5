using Gregor.Storage.Producers;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

/// <summary>
/// The log owns its partition's idempotent-producer state, as Kafka's log does: every appended
/// batch is applied to it under the log lock right after it is written; a clean close snapshots it
/// at the log end, fsynced, so a clean restart scans nothing; loading and truncation rebuild it
/// from the newest usable snapshot at or below the log end plus the batches after it.
/// </summary>
public sealed partial class PartitionLog
{
    private ProducerStateManager _producers;

    /// <summary>The partition's idempotent producers. Truncation replaces the instance: read it once per operation.</summary>
    public ProducerStateManager Producers => Volatile.Read(ref _producers);

    /// <summary>Rebuilds the producer state at the current log end. Caller holds the lock, or the log is not published yet.</summary>
    private void LoadProducerState() => Volatile.Write(ref _producers, ProducerStateManager.Load(this, _logger));

    /// <summary>Empty producer state for a log restarting at <paramref name="offset"/>; every snapshot goes. Caller holds the lock.</summary>
    private void ResetProducerState(long offset) => Volatile.Write(ref _producers, ProducerStateManager.StartAt(Directory, offset));

    /// <summary>
    /// Writes the snapshot at <paramref name="offset"/> (fsynced only when <paramref name="sync"/>).
    /// Caller holds the lock, and the state covers exactly the log below <paramref name="offset"/>.
    /// A failure is not fatal: a restart then starts from an older snapshot and scans more of the log.
    /// </summary>
    private void TakeProducerSnapshot(long offset, bool sync)
    {
        try
        {
            _producers.TakeSnapshot(offset, sync);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("{Partition}: could not write the producer snapshot at offset {Offset}: {Error}", TopicPartition, offset, e.Message);
        }
    }

    private List<long> SegmentBasesLocked() => _segments.ConvertAll(s => s.BaseOffset);
}
