using Gregor.Protocol.Records;

namespace Gregor.Storage;

/// <summary>
/// Per-topic log settings, Kafka's topic-level keys and defaults (broker keys in brackets).
/// Immutable: a live config change swaps the whole record on the partition.
/// </summary>
public sealed record LogConfig
{
    /// <summary>segment.bytes [log.segment.bytes]: roll when the next batch would pass this size.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary>segment.ms [log.roll.ms / log.roll.hours]: roll when the segment's first timestamp is this old.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.ms [log.retention.ms/minutes/hours]; -1 = keep forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.bytes [log.retention.bytes], per partition; -1 = no size limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>index.interval.bytes [log.index.interval.bytes]: bytes between sparse index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>segment.index.bytes [log.index.size.max.bytes]: preallocated index size; a full index rolls the segment.</summary>
    public int MaxIndexSize { get; init; } = 10 * 1024 * 1024;

    /// <summary>flush.messages [log.flush.interval.messages]: fsync after this many unflushed records; 1 = every append is fsynced before it is acknowledged.</summary>
    public long FlushIntervalMessages { get; init; } = long.MaxValue;

    /// <summary>flush.ms [log.flush.interval.ms]: fsync when the oldest unflushed data is this old.</summary>
    public long FlushIntervalMs { get; init; } = long.MaxValue;

    /// <summary>cleanup.policy: "delete", "compact" or "compact,delete".</summary>
    public string CleanupPolicy { get; init; } = "delete";

    /// <summary>delete.retention.ms: how long tombstones survive after their segment was first cleaned.</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>min.cleanable.dirty.ratio: clean once dirty bytes / all cleanable bytes reaches this.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>min.compaction.lag.ms: records younger than this are not compacted.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>file.delete.delay.ms: time between renaming a segment to .deleted and removing it.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary>message.timestamp.type: CreateTime keeps producer timestamps, LogAppendTime stamps batches on append.</summary>
    public TimestampType MessageTimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary>message.timestamp.before.max.ms (and the older difference.max.ms): how far in the past a CreateTime timestamp may be.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary>message.timestamp.after.max.ms (and the older difference.max.ms): how far in the future a CreateTime timestamp may be.</summary>
    public long MessageTimestampAfterMaxMs { get; init; } = long.MaxValue;

    /// <summary>max.message.bytes [message.max.bytes]: largest batch accepted.</summary>
    public int MaxMessageBytes { get; init; } = 1_000_012;

    /// <summary>Cap on decompressed record bytes per batch when a batch must be decoded (validation, compaction, conversion).</summary>
    public int MaxDecompressedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>min.insync.replicas: least in-sync replicas an acks=all append needs. The log keeps it for the partition layer, which enforces it.</summary>
    public int MinInSyncReplicas { get; init; } = 1;

    public bool Compact => CleanupPolicy.Contains("compact", StringComparison.OrdinalIgnoreCase);

    public bool Delete => CleanupPolicy.Contains("delete", StringComparison.OrdinalIgnoreCase);

    public static LogConfig Default { get; } = new();
}
