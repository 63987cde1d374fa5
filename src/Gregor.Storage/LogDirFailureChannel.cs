using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

/// <summary>
/// The log dirs that failed, as Kafka's LogDirFailureChannel: the first I/O error in a dir takes
/// the whole dir offline (its partitions answer KAFKA_STORAGE_ERROR, nothing more is written
/// there, its checkpoints and clean-shutdown marker are not written) and is logged once; later
/// errors in the same dir are not logged again. A dir comes back only when the broker restarts
/// (and recovers it, since it was not shut down cleanly). Thread-safe.
/// </summary>
public sealed class LogDirFailureChannel(ILogger logger)
{
    private readonly ConcurrentDictionary<string, string> _offline = new(StringComparer.Ordinal);

    /// <summary>Set once any dir failed: the check on every append and read is one volatile read until then.</summary>
    private volatile bool _anyOffline;

    /// <summary>Offline dirs with the error that took each offline.</summary>
    public IReadOnlyDictionary<string, string> OfflineDirs => _offline;

    public bool IsOffline(string logDir) => _anyOffline && _offline.ContainsKey(logDir);

    /// <summary>
    /// Takes <paramref name="logDir"/> offline because <paramref name="error"/> happened while
    /// <paramref name="doing"/>; returns the exception to throw to the caller. Too many open files
    /// is not a fault of the dir: the caller gets a storage error and the dir stays online.
    /// </summary>
    public KafkaStorageException Fail(string logDir, string doing, Exception error)
    {
        if (error is KafkaStorageException storage)
        {
            return storage;
        }
        if (IsTooManyOpenFiles(error))
        {
            logger.LogWarning("I/O error in log dir {Dir} while {Doing}: {Error}", logDir, doing, error.Message);
            return new KafkaStorageException(logDir, $"{doing} in {logDir} failed: {error.Message}", error, dirOffline: false);
        }
        if (_offline.TryAdd(logDir, error.Message))
        {
            _anyOffline = true;
            logger.LogError("Log dir {Dir} is offline after an I/O error while {Doing}: {Error} ({Type}). Its partitions answer KAFKA_STORAGE_ERROR until the broker is restarted.",
                logDir, doing, error.Message, error.GetType().Name);
        }
        return new KafkaStorageException(logDir, $"log dir {logDir} is offline: {doing} failed: {error.Message}", error);
    }

    /// <summary>EMFILE / ENFILE (errno 24 / 23): .NET on Unix puts the errno in HResult.</summary>
    private static bool IsTooManyOpenFiles(Exception error) =>
        error is IOException { HResult: 23 or 24 } || error.Message.Contains("Too many open files", StringComparison.Ordinal);
}
