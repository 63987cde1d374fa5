namespace Gregor.Storage.Cleaner;

/// <summary>What one cleaning of a partition did: the range cleaned and the bytes and records before and after.</summary>
public readonly record struct CleanResult(long StartOffset, long EndOffset, long BytesBefore, long BytesAfter, long RecordsRemoved, long TombstonesRemoved);
