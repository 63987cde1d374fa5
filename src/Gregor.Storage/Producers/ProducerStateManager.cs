using Gregor.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Producers;

/// <summary>
/// The idempotent producers of one partition: each producer's epoch and last five batches, so a
/// retried batch is recognised and answered with its original offsets instead of being written
/// twice. The state covers the log up to <see cref="MapEndOffset"/>. It belongs to the partition's
/// <see cref="PartitionLog"/>, which applies every batch as it appends it, snapshots the state to
/// <see cref="ProducerSnapshotFile"/>s at each segment roll and at a clean close, and rebuilds it
/// from the newest snapshot plus the batches after it in the log at load and after truncation.
/// <para>
/// Thread safety: every change (appended batches, snapshots) happens under the owning log's lock,
/// and a truncation replaces the whole instance rather than changing it. The partition layer
/// appends batches that carry a producer id only while holding its producer lock, which it also
/// holds around <see cref="Check"/>, so a check never runs beside a change to the producer map.
/// </para>
/// </summary>
public sealed class ProducerStateManager
{
    private readonly Dictionary<long, ProducerEntry> _producers = [];
    private readonly string _directory;

    /// <summary>An empty state for the log in <paramref name="directory"/>; its snapshot files are left alone.</summary>
    internal ProducerStateManager(string directory) => _directory = directory;

    /// <summary>The log offset up to which batches have been applied to this state.</summary>
    public long MapEndOffset { get; private set; }

    public int ProducerCount => _producers.Count;

    public ProducerEntry? Find(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// Kafka's rules: a batch equal in epoch and sequence range to a cached one is a duplicate; an
    /// epoch below the producer's is fenced; a new epoch must start at sequence 0 (unless the producer
    /// is unknown); in the same epoch the first sequence must follow the last one (wrapping after
    /// int.MaxValue). A producer with no state (new, or removed by retention) may start anywhere.
    /// </summary>
    public SequenceCheck Check(long producerId, short epoch, int firstSequence, int lastSequence, out ProducerBatch duplicate)
    {
        duplicate = default;
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            return SequenceCheck.Valid;
        }
        if (entry.FindDuplicate(epoch, firstSequence, lastSequence) is { } found)
        {
            duplicate = found;
            return SequenceCheck.Duplicate;
        }
        if (epoch < entry.Epoch)
        {
            return SequenceCheck.InvalidEpoch;
        }
        if (epoch > entry.Epoch)
        {
            return firstSequence == 0 ? SequenceCheck.Valid : SequenceCheck.OutOfOrder;
        }
        var last = entry.LastSequence;
        var inSequence = last < 0 || firstSequence == last + 1 || (firstSequence == 0 && last == int.MaxValue);
        return inSequence ? SequenceCheck.Valid : SequenceCheck.OutOfOrder;
    }

    /// <summary>Records a batch appended at [firstOffset, lastOffset].</summary>
    internal void Update(long producerId, short epoch, ProducerBatch batch)
    {
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            entry = new ProducerEntry(producerId, epoch);
            _producers[producerId] = entry;
        }
        entry.Add(epoch, batch);
        MapEndOffset = Math.Max(MapEndOffset, batch.LastOffset + 1);
    }

    /// <summary>Applies one v2 batch header: as the log appends it, or read back from the log when rebuilding.</summary>
    internal void Observe(ReadOnlySpan<byte> batch)
    {
        var producerId = RecordBatch.ProducerId(batch);
        var lastOffset = RecordBatch.LastOffset(batch);
        if (producerId >= 0 && !RecordBatch.IsControl(batch))
        {
            var firstSequence = RecordBatch.BaseSequence(batch);
            var lastSequence = firstSequence < 0 ? -1 : (int)((firstSequence + (long)RecordBatch.LastOffsetDelta(batch)) % ((long)int.MaxValue + 1));
            Update(producerId, RecordBatch.ProducerEpoch(batch), new ProducerBatch(firstSequence, lastSequence, RecordBatch.BaseOffset(batch), lastOffset, RecordBatch.MaxTimestamp(batch)));
        }
        MapEndOffset = Math.Max(MapEndOffset, lastOffset + 1);
    }

    /// <summary>
    /// Loads the newest usable snapshot at or below the log end (deleting those above it, whose log
    /// was truncated away or lost in a crash), then applies the log's batches from that offset on.
    /// </summary>
    internal static ProducerStateManager Load(PartitionLog log, ILogger logger)
    {
        var manager = new ProducerStateManager(log.Directory);
        var snapshots = ProducerSnapshotFile.List(log.Directory);
        for (var i = snapshots.Count - 1; i >= 0; i--)
        {
            var (offset, path) = snapshots[i];
            if (offset > log.LogEndOffset)
            {
                File.Delete(path);
                continue;
            }
            if (ProducerSnapshotFile.TryRead(path, out var problem) is { } producers)
            {
                foreach (var entry in producers)
                {
                    manager._producers[entry.ProducerId] = entry;
                }
                manager.MapEndOffset = offset;
                break;
            }
            logger.LogWarning("Ignoring unusable producer snapshot {Path}: {Problem}", path, problem);
        }
        var from = Math.Max(manager.MapEndOffset, log.LogStartOffset);
        var scanned = LogScanner.ScanBatches(log, manager.MapEndOffset, manager.Observe);
        manager.MapEndOffset = Math.Max(manager.MapEndOffset, log.LogEndOffset);
        if (scanned > 0)
        {
            logger.LogInformation("Rebuilt producer state of {Partition}: {Batches} batches scanned from offset {Offset} ({Producers} producers)",
                log.TopicPartition, scanned, from, manager._producers.Count);
        }
        return manager;
    }

    /// <summary>An empty state for a log that (re)starts at <paramref name="offset"/>; every snapshot in the directory is deleted.</summary>
    internal static ProducerStateManager StartAt(string directory, long offset)
    {
        foreach (var (_, path) in ProducerSnapshotFile.List(directory))
        {
            File.Delete(path);
        }
        return new ProducerStateManager(directory) { MapEndOffset = offset };
    }

    /// <summary>
    /// Writes the state as the snapshot at <paramref name="offset"/>. The caller guarantees the state
    /// covers exactly the log below <paramref name="offset"/> (batches without a producer id leave
    /// it unchanged, so any offset from the last applied batch's end up to the next batch will do).
    /// Returns the file's path.
    /// </summary>
    internal string TakeSnapshot(long offset, bool sync)
    {
        MapEndOffset = offset;
        var path = LogFileNames.ProducerSnapshotFile(_directory, offset);
        ProducerSnapshotFile.Write(path, _producers.Values, sync);
        return path;
    }

    /// <summary>
    /// Keeps the snapshots a restart or a truncation can start from, as Kafka does: the one at the
    /// base offset of each live segment (written when that segment was rolled) and, above the active
    /// segment's base, only the newest (the one a clean close wrote at the log end). Deleted: those
    /// of removed segments (below the first base, so below the log start), those above the log end,
    /// and older ones inside a segment. So at most one per segment, plus one; and for any offset in
    /// the log, the snapshot at the base of its segment is kept when it was ever written, so
    /// rebuilding the state at that offset scans at most that one segment.
    /// </summary>
    internal void RemoveStraySnapshots(IReadOnlyList<long> segmentBaseOffsets, long logEndOffset)
    {
        var bases = new HashSet<long>(segmentBaseOffsets);
        var activeBase = segmentBaseOffsets[^1];
        var snapshots = ProducerSnapshotFile.List(_directory);
        var newestStray = -1L;
        foreach (var (offset, _) in snapshots)
        {
            if (offset > activeBase && offset <= logEndOffset && !bases.Contains(offset))
            {
                newestStray = offset;
            }
        }
        foreach (var (offset, path) in snapshots)
        {
            if (offset > logEndOffset || (!bases.Contains(offset) && offset != newestStray))
            {
                File.Delete(path);
            }
        }
    }
}
