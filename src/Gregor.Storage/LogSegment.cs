using System.Buffers;
using Gregor.Protocol.Records;
using Gregor.Storage.Index;
using Microsoft.Win32.SafeHandles;

namespace Gregor.Storage;

/// <summary>
/// One segment: "&lt;base offset&gt;.log" holding whole v2 batches end to end, plus its sparse
/// ".index" and ".timeindex". Invariants: <see cref="Size"/> bytes of the file are whole batches
/// (anything after is garbage from a crash and is cut by recovery); batch offsets increase;
/// every index entry points at a batch start. Owned by its <see cref="PartitionLog"/> and mutated
/// only under that log's lock; reads of the file itself (positional reads) need no lock.
/// </summary>
internal sealed class LogSegment : IDisposable
{
    private readonly FileStream _log;
    private int _bytesSinceLastIndexEntry;
    private long _rollingBasedTimestamp = -1;
    private readonly long _createdMs;
    private bool _disposed;

    private LogSegment(string dir, long baseOffset, FileStream log, OffsetIndex offsetIndex, TimeIndex timeIndex, long nowMs, string suffix)
    {
        Directory = dir;
        BaseOffset = baseOffset;
        _log = log;
        LogPath = log.Name;
        OffsetIndex = offsetIndex;
        TimeIndex = timeIndex;
        Suffix = suffix;
        _createdMs = nowMs;
        NextOffset = baseOffset;
        Size = (int)Math.Min(int.MaxValue, log.Length);
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    public string LogPath { get; private set; }

    public string Suffix { get; private set; }

    public OffsetIndex OffsetIndex { get; }

    public TimeIndex TimeIndex { get; }

    /// <summary>Bytes of whole batches in the file.</summary>
    public int Size { get; private set; }

    /// <summary>Offset after the last batch; <see cref="BaseOffset"/> when empty.</summary>
    public long NextOffset { get; private set; }

    public long MaxTimestampSoFar { get; private set; } = -1;

    public long OffsetOfMaxTimestampSoFar { get; private set; } = -1;

    public SafeFileHandle Handle => _log.SafeFileHandle;

    public bool IsEmpty => Size == 0;

    /// <summary>
    /// Age of the segment for segment.ms, as Kafka measures it: the incoming batch's timestamp minus
    /// the first batch's, so replayed old data does not roll on every batch; wall time since
    /// creation when the first batch has no timestamp.
    /// </summary>
    public long TimeWaitedForRoll(long nowMs, long incomingTimestamp) =>
        _rollingBasedTimestamp >= 0 ? incomingTimestamp - _rollingBasedTimestamp : nowMs - _createdMs;

    /// <summary>Largest record timestamp, or the file's modification time when no record carries one (retention.ms).</summary>
    public long LargestTimestamp
    {
        get
        {
            var ts = Math.Max(MaxTimestampSoFar, TimeIndex.LastTimestamp);
            return ts >= 0 ? ts : new DateTimeOffset(File.GetLastWriteTimeUtc(LogPath)).ToUnixTimeMilliseconds();
        }
    }

    public static LogSegment Open(string dir, long baseOffset, LogConfig config, long nowMs, bool writable, string suffix = "", bool fresh = false)
    {
        var mode = fresh ? FileMode.Create : FileMode.OpenOrCreate;
        var log = new FileStream(LogFileNames.LogFile(dir, baseOffset, suffix), mode, FileAccess.ReadWrite,
            FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess | FileOptions.Asynchronous);
        OffsetIndex? offsetIndex = null;
        try
        {
            if (fresh)
            {
                File.Delete(LogFileNames.IndexFile(dir, baseOffset, suffix));
                File.Delete(LogFileNames.TimeIndexFile(dir, baseOffset, suffix));
            }
            offsetIndex = new OffsetIndex(LogFileNames.IndexFile(dir, baseOffset, suffix), baseOffset, config.MaxIndexSize, writable);
            var timeIndex = new TimeIndex(LogFileNames.TimeIndexFile(dir, baseOffset, suffix), baseOffset, config.MaxIndexSize, writable);
            StorageDescriptors.Opened(StorageDescriptors.PerSegment);
            return new LogSegment(dir, baseOffset, log, offsetIndex, timeIndex, nowMs, suffix);
        }
        catch
        {
            // Out of descriptors (or any failure) part-way: close what was opened, so a failed open holds nothing.
            offsetIndex?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends one batch at <see cref="Size"/>; the batch already carries its final offsets.
    /// An index entry (batch last offset → batch position) is added once more than
    /// index.interval.bytes have been written since the previous one.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batch, long lastOffset, long maxTimestamp, int indexIntervalBytes)
    {
        var position = Size;
        var indexDue = _bytesSinceLastIndexEntry > indexIntervalBytes;
        if (indexDue)
        {
            // Room for the entries first: a full disk fails here, before the log has the batch.
            OffsetIndex.EnsureCapacity(OffsetIndex.Entries + 1);
            TimeIndex.EnsureCapacity(TimeIndex.Entries + 1);
        }
        try
        {
            RandomAccess.Write(_log.SafeFileHandle, batch, position);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            // A short write leaves part of the batch past Size; cut it (shrinking needs no space).
            try
            {
                _log.SetLength(position);
            }
            catch (IOException)
            {
                // Recovery cuts it at the next start.
            }
            // .NET reports EFBIG (past ulimit -f) as an ArgumentOutOfRangeException: an I/O error here.
            throw e as IOException ?? new IOException($"{LogPath}: {e.Message}", e);
        }
        if (position == 0)
        {
            _rollingBasedTimestamp = maxTimestamp;
        }
        if (maxTimestamp > MaxTimestampSoFar)
        {
            MaxTimestampSoFar = maxTimestamp;
            OffsetOfMaxTimestampSoFar = lastOffset;
        }
        if (indexDue)
        {
            OffsetIndex.Append(lastOffset, position);
            TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += batch.Length;
        Size = position + batch.Length;
        NextOffset = lastOffset + 1;
    }

    public bool IndexesFull => OffsetIndex.IsFull || TimeIndex.IsFull;

    /// <summary>On roll: record the segment's largest timestamp in the time index, then trim both indexes.</summary>
    public void OnBecomeInactive()
    {
        if (MaxTimestampSoFar >= 0)
        {
            TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar, skipFullCheck: true);
        }
        OffsetIndex.TrimToValidSize();
        TimeIndex.TrimToValidSize();
    }

    /// <summary>fsync of the log file only (what an acknowledgement needs; indexes are rebuilt by recovery).</summary>
    public void FlushLog() => _log.Flush(flushToDisk: true);

    public void Flush()
    {
        _log.Flush(flushToDisk: true);
        OffsetIndex.Flush();
        TimeIndex.Flush();
    }

    public bool TryReadHeader(int position, out BatchHeader header)
    {
        header = default;
        if (position > Size - RecordBatch.HeaderSize)
        {
            return false;
        }
        Span<byte> buffer = stackalloc byte[BatchHeader.ReadSize];
        if (RandomAccess.Read(_log.SafeFileHandle, buffer, position) != buffer.Length)
        {
            return false;
        }
        header = BatchHeader.Parse(buffer);
        return header.IsPlausible && header.Size <= Size - position;
    }

    /// <summary>
    /// Position and header of the first batch whose last offset is ≥ <paramref name="offset"/>
    /// (the batch containing it, or the next one after a gap), or false when there is none.
    /// </summary>
    public bool TryFindBatch(long offset, out int position, out BatchHeader header)
    {
        position = offset <= BaseOffset ? 0 : OffsetIndex.Lookup(offset).Position;
        while (TryReadHeader(position, out header))
        {
            if (header.LastOffset >= offset)
            {
                return true;
            }
            position += header.Size;
        }
        header = default;
        return false;
    }

    /// <summary>
    /// Whole batches from <paramref name="position"/>, at most <paramref name="maxBytes"/> (the first
    /// batch always when <paramref name="minOneBatch"/>), stopping before a batch starting at or after
    /// <paramref name="maxOffset"/>. Returns the byte count.
    /// </summary>
    public int MeasureBatches(int position, int maxBytes, long maxOffset, bool minOneBatch)
    {
        var end = position;
        // Jump over whole batches known from the index: every batch before an entry's position ends before it.
        var jump = OffsetIndex.FloorPosition((long)position + maxBytes, maxOffset);
        if (jump > position)
        {
            end = jump;
        }
        while (TryReadHeader(end, out var header) && header.BaseOffset < maxOffset)
        {
            if ((long)end - position + header.Size > maxBytes && !(minOneBatch && end == position))
            {
                break;
            }
            end += header.Size;
            if (end - position >= maxBytes)
            {
                break;
            }
        }
        return end - position;
    }

    /// <summary>
    /// Cuts the segment before the first batch whose last offset is ≥ <paramref name="offset"/>;
    /// returns the bytes removed. Indexes are trimmed to match and <see cref="NextOffset"/> and the
    /// max timestamp recomputed from what remains.
    /// </summary>
    public int TruncateTo(long offset)
    {
        if (!TryFindBatch(offset, out var position, out _))
        {
            return 0;
        }
        var removed = Size - position;
        TruncateAtPosition(position);
        return removed;
    }

    private void TruncateAtPosition(int position)
    {
        _log.SetLength(position);
        Size = position;
        OffsetIndex.TruncateToPosition(position);
        // Recompute the tail state from the last index entry onwards.
        var start = OffsetIndex.Entries == 0 ? 0 : OffsetIndex.LastPosition;
        var next = OffsetIndex.Entries == 0 ? BaseOffset : OffsetIndex.Lookup(long.MaxValue).Offset + 1;
        MaxTimestampSoFar = -1;
        OffsetOfMaxTimestampSoFar = -1;
        var p = 0;
        // Max timestamp must cover the whole segment: walk every header (truncation is rare).
        while (TryReadHeader(p, out var h) && p < Size)
        {
            if (h.MaxTimestamp > MaxTimestampSoFar)
            {
                MaxTimestampSoFar = h.MaxTimestamp;
                OffsetOfMaxTimestampSoFar = h.LastOffset;
            }
            if (p >= start)
            {
                next = h.LastOffset + 1;
            }
            p += h.Size;
        }
        NextOffset = Size == 0 ? BaseOffset : next;
        TimeIndex.TruncateTo(NextOffset);
        if (Size == 0)
        {
            _rollingBasedTimestamp = -1;
        }
        _bytesSinceLastIndexEntry = Size - (OffsetIndex.Entries == 0 ? 0 : OffsetIndex.LastPosition);
    }

    /// <summary>
    /// After a clean shutdown: derive <see cref="NextOffset"/> and the max timestamp from the
    /// indexes and the batches after the last offset-index entry. False when the walk does not end
    /// exactly at the file's end or the indexes fail their sanity checks; the caller then recovers.
    /// </summary>
    public bool TryLoadClean(out string? problem)
    {
        if (Size > 0 && (!OffsetIndex.ExistedOnOpen || !TimeIndex.ExistedOnOpen))
        {
            problem = "index file missing";
            return false;
        }
        if (!OffsetIndex.IsSane(Size, out problem))
        {
            return false;
        }
        var position = OffsetIndex.Entries == 0 ? 0 : OffsetIndex.LastPosition;
        var next = BaseOffset;
        var first = true;
        while (position < Size)
        {
            if (!TryReadHeader(position, out var h))
            {
                problem = $"unreadable batch header at position {position}";
                return false;
            }
            if (first && OffsetIndex.Entries > 0 && h.LastOffset != OffsetIndex.LastOffset)
            {
                problem = $"last index entry says offset {OffsetIndex.LastOffset} at position {position}, the batch there ends at {h.LastOffset}";
                return false;
            }
            first = false;
            if (h.MaxTimestamp > MaxTimestampSoFar)
            {
                MaxTimestampSoFar = h.MaxTimestamp;
                OffsetOfMaxTimestampSoFar = h.LastOffset;
            }
            next = h.LastOffset + 1;
            position += h.Size;
        }
        if (position != Size)
        {
            problem = "last batch runs past the end of the file";
            return false;
        }
        NextOffset = Size == 0 ? BaseOffset : next;
        if (!TimeIndex.IsSane(NextOffset, out problem))
        {
            return false;
        }
        if (TimeIndex.LastTimestamp > MaxTimestampSoFar)
        {
            MaxTimestampSoFar = TimeIndex.LastTimestamp;
            OffsetOfMaxTimestampSoFar = TimeIndex.LastOffset;
        }
        if (Size > 0 && TryReadHeader(0, out var firstHeader))
        {
            _rollingBasedTimestamp = firstHeader.MaxTimestamp;
        }
        _bytesSinceLastIndexEntry = Size - (OffsetIndex.Entries == 0 ? 0 : OffsetIndex.LastPosition);
        return true;
    }

    /// <summary>
    /// Scans every batch from the start — length, magic, CRC-32C, offsets increasing (exactly
    /// contiguous when <paramref name="contiguous"/>), leader epoch as <paramref name="expectedEpoch"/>
    /// says — rebuilding both indexes, and cuts the file at the first batch that fails.
    /// </summary>
    public SegmentRecoveryResult Recover(int indexIntervalBytes, bool contiguous, Func<long, int, bool>? epochIsValid)
    {
        OffsetIndex.Reset();
        OffsetIndex.ResizeToMax();
        TimeIndex.Reset();
        TimeIndex.ResizeToMax();
        MaxTimestampSoFar = -1;
        OffsetOfMaxTimestampSoFar = -1;
        _bytesSinceLastIndexEntry = 0;
        _rollingBasedTimestamp = -1;
        var fileLength = _log.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        long bufferStart = 0;
        var bufferCount = 0;
        long position = 0;
        var next = BaseOffset;
        var batches = 0;
        string? reason = null;
        try
        {
            while (position < fileLength)
            {
                var remaining = fileLength - position;
                if (remaining < RecordBatch.HeaderSize)
                {
                    reason = $"torn batch: {remaining} bytes at the end are less than a batch header";
                    break;
                }
                if (!Fill(ref buffer, ref bufferStart, ref bufferCount, position, RecordBatch.HeaderSize))
                {
                    reason = "short read";
                    break;
                }
                var at = (int)(position - bufferStart);
                var headerSpan = buffer.AsSpan(at, RecordBatch.HeaderSize);
                var header = BatchHeader.Parse(headerSpan);
                if (header.Magic != RecordBatch.CurrentMagic)
                {
                    reason = $"magic {header.Magic}";
                    break;
                }
                if (header.Size < RecordBatch.HeaderSize || header.Size > remaining || position + header.Size > int.MaxValue)
                {
                    reason = $"batch length {header.Size} with {remaining} bytes left (torn or corrupt)";
                    break;
                }
                if (!Fill(ref buffer, ref bufferStart, ref bufferCount, position, header.Size))
                {
                    reason = "short read";
                    break;
                }
                at = (int)(position - bufferStart);
                var batch = buffer.AsSpan(at, header.Size);
                if (!RecordBatch.IsCrcValid(batch))
                {
                    reason = "CRC mismatch";
                    break;
                }
                var count = RecordBatch.RecordsCount(batch);
                if (header.LastOffsetDelta < 0 || count < 0 || count > (long)header.LastOffsetDelta + 1)
                {
                    reason = $"record count {count} with lastOffsetDelta {header.LastOffsetDelta}";
                    break;
                }
                if (header.BaseOffset < next || (contiguous && header.BaseOffset != next) || header.LastOffset - BaseOffset > int.MaxValue)
                {
                    reason = $"base offset {header.BaseOffset} where {next} was expected";
                    break;
                }
                if (epochIsValid is not null && !epochIsValid(header.BaseOffset, header.PartitionLeaderEpoch))
                {
                    reason = $"leader epoch {header.PartitionLeaderEpoch} at offset {header.BaseOffset} disagrees with the leader-epoch cache";
                    break;
                }
                if (position == 0)
                {
                    _rollingBasedTimestamp = header.MaxTimestamp;
                }
                if (header.MaxTimestamp > MaxTimestampSoFar)
                {
                    MaxTimestampSoFar = header.MaxTimestamp;
                    OffsetOfMaxTimestampSoFar = header.LastOffset;
                }
                if (_bytesSinceLastIndexEntry > indexIntervalBytes && !OffsetIndex.IsFull && !TimeIndex.IsFull)
                {
                    OffsetIndex.Append(header.LastOffset, (int)position);
                    TimeIndex.MaybeAppend(MaxTimestampSoFar, OffsetOfMaxTimestampSoFar);
                    _bytesSinceLastIndexEntry = 0;
                }
                _bytesSinceLastIndexEntry += header.Size;
                next = header.LastOffset + 1;
                position += header.Size;
                batches++;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var truncated = fileLength - position;
        if (truncated > 0)
        {
            _log.SetLength(position);
        }
        Size = (int)position;
        NextOffset = Size == 0 ? BaseOffset : next;
        return new SegmentRecoveryResult(Size, batches, NextOffset, truncated, truncated > 0 ? reason : null);
    }

    /// <summary>Makes buffer[position - bufferStart ..] hold at least <paramref name="need"/> bytes of the file from <paramref name="position"/>.</summary>
    private bool Fill(ref byte[] buffer, ref long bufferStart, ref int bufferCount, long position, int need)
    {
        if (position >= bufferStart && position + need <= bufferStart + bufferCount)
        {
            return true;
        }
        if (need > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(need);
        }
        bufferStart = position;
        bufferCount = 0;
        while (bufferCount < buffer.Length)
        {
            var n = RandomAccess.Read(_log.SafeFileHandle, buffer.AsSpan(bufferCount), bufferStart + bufferCount);
            if (n == 0)
            {
                break;
            }
            bufferCount += n;
        }
        return bufferCount >= need;
    }

    /// <summary>Renames the three files from suffix <see cref="Suffix"/> to <paramref name="newSuffix"/> ("" = live).</summary>
    public void ChangeSuffix(string newSuffix)
    {
        var newLog = LogFileNames.LogFile(Directory, BaseOffset, newSuffix);
        File.Move(LogPath, newLog, overwrite: true);
        LogPath = newLog;
        OffsetIndex.Rename(LogFileNames.IndexFile(Directory, BaseOffset, newSuffix));
        TimeIndex.Rename(LogFileNames.TimeIndexFile(Directory, BaseOffset, newSuffix));
        Suffix = newSuffix;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _log.Dispose();
        OffsetIndex.Dispose();
        TimeIndex.Dispose();
        StorageDescriptors.Closed(StorageDescriptors.PerSegment);
    }

    public void DisposeAndDelete()
    {
        Dispose();
        File.Delete(LogPath);
        File.Delete(OffsetIndex.Path);
        File.Delete(TimeIndex.Path);
    }

    public override string ToString() => $"segment {LogPath} [{BaseOffset}, {NextOffset}) {Size} bytes";
}
