namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    private bool _offline;

    /// <summary>Where this log reports I/O errors; set by the log manager once the log is loaded.</summary>
    internal LogDirFailureChannel? FailureChannel { get; set; }

    /// <summary>
    /// True once this log, or another in its log dir, failed an I/O operation: appends and reads
    /// throw <see cref="KafkaStorageException"/> and nothing more is written until a restart.
    /// </summary>
    public bool IsOffline => Volatile.Read(ref _offline) || (FailureChannel?.IsOffline(LogDir) ?? false);

    private void ThrowIfOffline()
    {
        if (IsOffline)
        {
            throw new KafkaStorageException(LogDir, $"{TopicPartition}: log dir {LogDir} is offline");
        }
    }

    /// <summary>The exception to throw for <paramref name="error"/>; takes the dir offline unless the error leaves it usable.</summary>
    private KafkaStorageException StorageFailure(string doing, Exception error)
    {
        var what = $"{doing} {TopicPartition}";
        var failure = FailureChannel?.Fail(LogDir, what, error)
            ?? error as KafkaStorageException
            ?? new KafkaStorageException(LogDir, $"{what} failed: {error.Message}", error);
        if (failure.DirOffline)
        {
            Volatile.Write(ref _offline, true);
        }
        return failure;
    }
}
