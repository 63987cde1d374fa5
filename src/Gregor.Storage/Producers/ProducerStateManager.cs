using System.Buffers.Binary;
using Gregor.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Producers;

/// <summary>
/// The idempotent producers of one partition: each producer's epoch and last five batches, so a
/// retried batch is recognised and answered with its original offsets instead of being written
/// twice. The state covers the log up to <see cref="MapEndOffset"/>; it is snapshotted to
/// <c>&lt;20-digit offset&gt;.snapshot</c> files in the partition directory and, after a restart
/// (clean or not), rebuilt from the newest snapshot plus the batches after it in the log.
/// <para>
/// Snapshot format (big-endian): "GPS1", version int16 (1), CRC-32C int32 of everything after it,
/// producer count int32, then per producer: producer id int64, epoch int16, batch count int8, and
/// per batch: first sequence int32, last sequence int32, first offset int64, last offset int64,
/// timestamp int64. A snapshot that fails its CRC is ignored.
/// </para>
/// Not thread-safe: the partition serialises check, append and update under its producer lock.
/// </summary>
public sealed class ProducerStateManager
{
    public const string SnapshotSuffix = ".snapshot";
    private static readonly byte[] Magic = "GPS1"u8.ToArray();
    private const short Version = 1;

    private readonly Dictionary<long, ProducerEntry> _producers = [];
    private readonly string _directory;
    private readonly ILogger _logger;

    private ProducerStateManager(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
    }

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
    public void Update(long producerId, short epoch, ProducerBatch batch)
    {
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            entry = new ProducerEntry(producerId, epoch);
            _producers[producerId] = entry;
        }
        entry.Add(epoch, batch);
        MapEndOffset = Math.Max(MapEndOffset, batch.LastOffset + 1);
    }

    /// <summary>Applies one v2 batch header read from the log (rebuilding after a restart).</summary>
    public void Observe(ReadOnlySpan<byte> batch)
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

    /// <summary>Loads the newest usable snapshot at or below the log end, then applies the log's batches after it.</summary>
    public static ProducerStateManager Load(PartitionLog log, ILogger logger)
    {
        var manager = new ProducerStateManager(log.Directory, logger);
        foreach (var (offset, path) in manager.Snapshots().OrderByDescending(s => s.Offset))
        {
            if (offset > log.LogEndOffset)
            {
                File.Delete(path);
                continue;
            }
            if (manager.TryReadSnapshot(path, offset))
            {
                break;
            }
        }
        manager.RebuildFromLog(log);
        return manager;
    }

    private void RebuildFromLog(PartitionLog log)
    {
        var scanned = LogScanner.ScanBatches(log, MapEndOffset, Observe);
        MapEndOffset = Math.Max(MapEndOffset, log.LogEndOffset);
        if (scanned > 0)
        {
            _logger.LogInformation("Rebuilt producer state of {Partition} from {Batches} batches ({Producers} producers)", log.TopicPartition, scanned, _producers.Count);
        }
    }

    private IEnumerable<(long Offset, string Path)> Snapshots()
    {
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + SnapshotSuffix))
        {
            var name = Path.GetFileName(path);
            if (long.TryParse(name.AsSpan(0, name.Length - SnapshotSuffix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
            {
                yield return (offset, path);
            }
        }
    }

    /// <summary>
    /// Writes a snapshot (temp file, fsync, rename) and keeps only the newest two. Batches without a
    /// producer id leave the state unchanged, so the state covers the log up to
    /// <paramref name="logEndOffset"/>: the snapshot is taken there, and the next start scans only
    /// what is appended after it, not the whole log.
    /// </summary>
    public void WriteSnapshot(long logEndOffset)
    {
        MapEndOffset = Math.Max(MapEndOffset, logEndOffset);
        var size = 4 + _producers.Values.Sum(e => 11 + (32 * e.Batches.Count));
        var bodyBytes = new byte[size];
        var position = 0;
        void Int64(long v) { BinaryPrimitives.WriteInt64BigEndian(bodyBytes.AsSpan(position), v); position += 8; }
        void Int32(int v) { BinaryPrimitives.WriteInt32BigEndian(bodyBytes.AsSpan(position), v); position += 4; }
        void Int16(short v) { BinaryPrimitives.WriteInt16BigEndian(bodyBytes.AsSpan(position), v); position += 2; }
        Int32(_producers.Count);
        foreach (var entry in _producers.Values)
        {
            Int64(entry.ProducerId);
            Int16(entry.Epoch);
            bodyBytes[position++] = (byte)entry.Batches.Count;
            foreach (var batch in entry.Batches)
            {
                Int32(batch.FirstSequence);
                Int32(batch.LastSequence);
                Int64(batch.FirstOffset);
                Int64(batch.LastOffset);
                Int64(batch.Timestamp);
            }
        }
        var file = new byte[Magic.Length + 2 + 4 + bodyBytes.Length];
        Magic.CopyTo(file, 0);
        BinaryPrimitives.WriteInt16BigEndian(file.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(6), Crc32C.Compute(bodyBytes));
        bodyBytes.CopyTo(file, 10);
        var path = Path.Combine(_directory, LogFileNames.OffsetPrefix(MapEndOffset) + SnapshotSuffix);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(file);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        foreach (var (_, old) in Snapshots().OrderByDescending(s => s.Offset).Skip(2))
        {
            File.Delete(old);
        }
    }

    private bool TryReadSnapshot(string path, long offset)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 14 || !bytes.AsSpan(0, 4).SequenceEqual(Magic) || BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(4)) != Version
                || BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(6)) != Crc32C.Compute(bytes.AsSpan(10)))
            {
                _logger.LogWarning("Ignoring corrupt producer snapshot {Path}", path);
                return false;
            }
            var span = bytes.AsSpan(10);
            var count = BinaryPrimitives.ReadInt32BigEndian(span);
            span = span[4..];
            _producers.Clear();
            for (var i = 0; i < count; i++)
            {
                var producerId = BinaryPrimitives.ReadInt64BigEndian(span);
                var epoch = BinaryPrimitives.ReadInt16BigEndian(span[8..]);
                int batches = span[10];
                span = span[11..];
                for (var b = 0; b < batches; b++)
                {
                    Update(producerId, epoch, new ProducerBatch(
                        BinaryPrimitives.ReadInt32BigEndian(span),
                        BinaryPrimitives.ReadInt32BigEndian(span[4..]),
                        BinaryPrimitives.ReadInt64BigEndian(span[8..]),
                        BinaryPrimitives.ReadInt64BigEndian(span[16..]),
                        BinaryPrimitives.ReadInt64BigEndian(span[24..])));
                    span = span[32..];
                }
            }
            MapEndOffset = offset;
            return true;
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            _logger.LogWarning("Ignoring unreadable producer snapshot {Path}: {Error}", path, e.Message);
            _producers.Clear();
            return false;
        }
    }
}
