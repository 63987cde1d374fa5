using Gregor.Protocol.Records;
using Gregor.Storage.Producers;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

/// <summary>
/// One partition's log: an ordered list of <see cref="LogSegment"/>s in the directory
/// "&lt;topic&gt;-&lt;partition&gt;", the last one active (the only one appended to).
/// <para>
/// Ownership: all mutable state here — the segment list, LogEndOffset, HighWatermark,
/// LogStartOffset, RecoveryPoint, the leader epoch cache, the pending deletions, and every change
/// to the producer state and its snapshot files (see PartitionLog.Producers.cs) — is guarded
/// by one per-partition lock (<c>_lock</c>). Appends, reads (which only compute a region),
/// truncation, retention and the cleaner's segment swap all take it. fsync runs outside the lock,
/// on handles captured under it. The offset fields are also published with volatile writes, so the
/// getters may be read without the lock.
/// </para>
/// <para>
/// Invariants: LogStartOffset ≤ HighWatermark ≤ LogEndOffset; RecoveryPoint ≤ LogEndOffset and
/// everything below it is fsynced; segment base offsets increase and each segment's batches lie in
/// [its base, next segment's base).
/// </para>
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<LogSegment> _segments = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<(LogSegment Segment, long DueMs)> _pendingDeletes = [];
    private LogConfig _config;
    private long _logStartOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private bool _closed;

    private PartitionLog(string dir, TopicPartition topicPartition, LogConfig config, TimeProvider time, ILogger logger)
    {
        Directory = dir;
        TopicPartition = topicPartition;
        _config = config;
        _time = time;
        _logger = logger;
        LeaderEpochCache = new LeaderEpochCache(dir);
        _producers = new ProducerStateManager(dir);
        _lastFlushMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>The partition directory.</summary>
    public string Directory { get; }

    /// <summary>The log dir holding <see cref="Directory"/>.</summary>
    public string LogDir => Path.GetDirectoryName(Directory)!;

    /// <summary>Topic config; replacing it applies from the next append / retention pass.</summary>
    public LogConfig Config
    {
        get => Volatile.Read(ref _config);
        set => Volatile.Write(ref _config, value);
    }

    public LeaderEpochCache LeaderEpochCache { get; }

    /// <summary>The clock of the log manager that opened the log (a fake one in tests).</summary>
    public TimeProvider Time => _time;

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    private long _logEndOffset;

    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Offset below which the log is known to be fsynced; recovery starts here after a crash.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Sum of segment sizes.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                long total = 0;
                foreach (var s in _segments)
                {
                    total += s.Size;
                }
                return total;
            }
        }
    }

    public int SegmentCount
    {
        get
        {
            lock (_lock)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>Base offsets of the live segments, oldest first.</summary>
    public IReadOnlyList<long> SegmentBaseOffsets
    {
        get
        {
            lock (_lock)
            {
                return SegmentBasesLocked();
            }
        }
    }

    private LogSegment Active => _segments[^1];

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void SetLogEndOffset(long value) => Volatile.Write(ref _logEndOffset, value);

    /// <summary>The leader epoch of the newest epoch entry (-1 when the log never had one).</summary>
    public int LatestEpoch
    {
        get
        {
            lock (_lock)
            {
                return LeaderEpochCache.LatestEpoch;
            }
        }
    }

    /// <summary>See <see cref="LeaderEpochCache.EndOffsetFor"/>, against the current log end, under the log's lock.</summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch)
    {
        lock (_lock)
        {
            return LeaderEpochCache.EndOffsetFor(epoch, _logEndOffset);
        }
    }

    /// <summary>Moves the high watermark (the partition layer does, once enough replicas have the data), clamped to [LogStartOffset, LogEndOffset].</summary>
    public void UpdateHighWatermark(long offset)
    {
        lock (_lock)
        {
            Volatile.Write(ref _highWatermark, Math.Clamp(offset, _logStartOffset, _logEndOffset));
        }
    }

    /// <summary>Index of the segment whose range holds <paramref name="offset"/> (the last with base ≤ offset), or -1.</summary>
    private int FloorSegment(long offset)
    {
        var lo = 0;
        var hi = _segments.Count - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_segments[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    public override string ToString() => $"[{TopicPartition}] {Directory}";

    public void Dispose() => Close();
}
