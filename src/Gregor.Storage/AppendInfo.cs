namespace Gregor.Storage;

/// <summary>
/// Result of an append: the offsets the batches received and, for LogAppendTime topics, the time
/// stamped on them (-1 otherwise). <see cref="IsDuplicate"/>: the append was a producer's retry of
/// a batch already in the log, nothing was written, and the offsets are the original batch's.
/// </summary>
public readonly record struct AppendInfo(long FirstOffset, long LastOffset, long LogAppendTime, long LogStartOffset, int Batches, int Records)
{
    public bool IsDuplicate { get; init; }
}
