namespace Gregor.Protocol.Records;

/// <summary>Limits and record policies applied by <see cref="RecordBatchValidator"/>.</summary>
public sealed record BatchValidationOptions
{
    /// <summary>Largest accepted batch on the wire (max.message.bytes, 1000012 by default in Kafka).</summary>
    public int MaxBatchBytes { get; init; } = 1_000_012;

    /// <summary>Hard cap on the decompressed size of one batch's records: a bigger one is a bomb and is refused.</summary>
    public int MaxDecompressedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// Producer batches must hold exactly lastOffsetDelta+1 records with deltas 0..n-1; batches copied
    /// from a compacted log (replication) may have gaps, so followers relax this.
    /// </summary>
    public bool RequireContiguousOffsets { get; init; } = true;

    /// <summary>Every record must have a (non-null) key: the topic is compacted (cleanup.policy contains compact).</summary>
    public bool RequireKeys { get; init; }

    /// <summary>
    /// message.timestamp.before.max.ms: how far before <see cref="NowMs"/> a CreateTime record
    /// timestamp may lie. long.MaxValue together with <see cref="TimestampAfterMaxMs"/> turns the check off.
    /// </summary>
    public long TimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary>message.timestamp.after.max.ms: how far after <see cref="NowMs"/> a CreateTime record timestamp may lie.</summary>
    public long TimestampAfterMaxMs { get; init; } = long.MaxValue;

    /// <summary>The broker's clock (ms since the epoch, not negative) the timestamp bounds are measured from.</summary>
    public long NowMs { get; init; }

    public static BatchValidationOptions Default { get; } = new();
}
