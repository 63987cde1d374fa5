using System.Collections.Concurrent;
using Gregor.Protocol.Wire;
using Gregor.Storage.Checkpoints;
using Gregor.Storage.Cleaner;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.Storage;

/// <summary>Shutdown of the log manager: clean (flush, checkpoints, then the markers), abrupt (tests), and the log dir locks.</summary>
public sealed partial class LogManager
{
    /// <summary>Stops background work, closes every log (fsync), writes checkpoints and then, last, the clean-shutdown markers.</summary>
    public void Shutdown()
    {
        if (!_started)
        {
            return;
        }
        _started = false;
        _stopping?.Cancel();
        try
        {
            _scheduler?.Wait();
        }
        catch (AggregateException)
        {
            // Cancelled.
        }
        Cleaner.Stop();
        FlushQueuedMetadataNow();
        Parallel.ForEach(_logs.Values, CloseLog);
        CheckpointAll();
        Cleaner.WriteCheckpoints();
        // An offline dir gets no marker: its files are as the failure left them, and the next start recovers it.
        foreach (var dir in _logDirs.Where(d => !Failures.IsOffline(d)))
        {
            try
            {
                AtomicFile.WriteAllText(Path.Combine(dir, LogFileNames.CleanShutdownFile), "");
            }
            catch (IOException e)
            {
                Failures.Fail(dir, "writing the clean-shutdown marker", e);
            }
        }
        _logs.Clear();
        ReleaseLocks();
    }

    /// <summary>Closes a log cleanly, or, in an offline dir, only releases its files.</summary>
    private void CloseLog(PartitionLog log)
    {
        if (!log.IsOffline)
        {
            try
            {
                log.Close();
                return;
            }
            catch (IOException e)
            {
                Failures.Fail(log.LogDir, $"closing {log.TopicPartition}", e);
            }
        }
        log.CloseAbruptly();
    }

    /// <summary>Stops without flushing, checkpoints or markers, as a killed process would (tests).</summary>
    internal void ShutdownAbruptly()
    {
        _started = false;
        _stopping?.Cancel();
        Cleaner.Stop();
        foreach (var log in _logs.Values)
        {
            log.CloseAbruptly();
        }
        _logs.Clear();
        ReleaseLocks();
    }

    private void ReleaseLocks()
    {
        foreach (var l in _locks)
        {
            l.Dispose();
        }
        _locks.Clear();
    }
}
