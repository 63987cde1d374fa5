using Gregor.Protocol.Records;

namespace Gregor.Storage;

/// <summary>The fields of a v2 batch header the log needs to walk a segment without reading records.</summary>
internal readonly record struct BatchHeader(long BaseOffset, int Size, int PartitionLeaderEpoch, byte Magic, int LastOffsetDelta, long MaxTimestamp)
{
    /// <summary>Bytes needed to read every field here (through maxTimestamp).</summary>
    public const int ReadSize = RecordBatch.MaxTimestampOffset + 8;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public static BatchHeader Parse(ReadOnlySpan<byte> b) => new(
        RecordBatch.BaseOffset(b),
        RecordBatch.SizeInBytes(b),
        RecordBatch.PartitionLeaderEpoch(b),
        RecordBatch.Magic(b),
        RecordBatch.LastOffsetDelta(b),
        RecordBatch.MaxTimestamp(b));

    /// <summary>Plausible enough to step over: magic 2, a whole header, deltas non-negative.</summary>
    public bool IsPlausible => Magic == RecordBatch.CurrentMagic && Size >= RecordBatch.HeaderSize && LastOffsetDelta >= 0;
}
