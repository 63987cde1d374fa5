using Gregor.Protocol.Records;

namespace Gregor.Storage;

/// <summary>A read or delete-records at an offset outside [LogStartOffset, LogEndOffset] (Kafka's OFFSET_OUT_OF_RANGE).</summary>
public sealed class OffsetOutOfRangeException(string message) : Exception(message);

/// <summary>An append refused before anything was written; <see cref="Error"/> maps to a Kafka error code.</summary>
public sealed class LogAppendException(RecordValidationError error, string message) : Exception(message)
{
    public RecordValidationError Error { get; } = error;
}

/// <summary>A log dir another broker holds the lock of (<see cref="LogDirLock"/>); the message names the dir.</summary>
public sealed class LogDirInUseException(string message, Exception inner) : IOException(message, inner);
