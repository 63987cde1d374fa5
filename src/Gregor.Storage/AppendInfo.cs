namespace Gregor.Storage;

/// <summary>Result of an append: the offsets the batches received and, for LogAppendTime topics, the time stamped on them (-1 otherwise).</summary>
public readonly record struct AppendInfo(long FirstOffset, long LastOffset, long LogAppendTime, long LogStartOffset, int Batches, int Records);
