using Gregor.Protocol.Records;
using Gregor.Storage.Producers;

namespace Gregor.Storage;

/// <summary>A read or delete-records at an offset outside [LogStartOffset, LogEndOffset] (Kafka's OFFSET_OUT_OF_RANGE).</summary>
public sealed class OffsetOutOfRangeException(string message) : Exception(message);

/// <summary>An append refused before anything was written; <see cref="Error"/> maps to a Kafka error code.</summary>
public sealed class LogAppendException(RecordValidationError error, string message) : Exception(message)
{
    public RecordValidationError Error { get; } = error;
}

/// <summary>
/// An idempotent batch refused by the producer state before anything was written:
/// <see cref="Verdict"/> is <see cref="SequenceCheck.InvalidEpoch"/> (INVALID_PRODUCER_EPOCH),
/// <see cref="SequenceCheck.OutOfOrder"/> (OUT_OF_ORDER_SEQUENCE_NUMBER) or
/// <see cref="SequenceCheck.Duplicate"/> for a retry among other batches (DUPLICATE_SEQUENCE_NUMBER).
/// </summary>
public sealed class ProducerStateException(SequenceCheck verdict, string message) : Exception(message)
{
    public SequenceCheck Verdict { get; } = verdict;
}

/// <summary>A log dir another broker holds the lock of (<see cref="LogDirLock"/>); the message names the dir.</summary>
public sealed class LogDirInUseException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// An operation on a log dir that is offline, or the I/O error that took it offline (disk full,
/// EFBIG, read-only volume, device error): Kafka's KAFKA_STORAGE_ERROR. <see cref="LogDir"/> is
/// the dir; it stays offline until the broker restarts. <see cref="DirOffline"/> is false for a
/// failure that left the dir usable (too many open files: the operation may be retried).
/// </summary>
public sealed class KafkaStorageException(string logDir, string message, Exception? inner = null, bool dirOffline = true) : IOException(message, inner)
{
    public string LogDir { get; } = logDir;

    public bool DirOffline { get; } = dirOffline;
}
