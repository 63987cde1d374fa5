namespace Gregor.Protocol.Records;

/// <summary>Limits applied by <see cref="RecordBatchValidator"/>.</summary>
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

    public static BatchValidationOptions Default { get; } = new();
}
