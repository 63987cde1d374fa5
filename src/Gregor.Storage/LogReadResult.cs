namespace Gregor.Storage;

/// <summary>
/// What a read returns: whole batches as a <see cref="FileRegion"/> (empty at the log end), with
/// the partition's offsets at the time of the read. <see cref="FirstBatchBaseOffset"/> may be below
/// the requested offset: the region always starts with the batch containing it.
/// </summary>
public readonly record struct LogReadResult(FileRegion Region, long FirstBatchBaseOffset, long HighWatermark, long LogStartOffset, long LogEndOffset);
