using System.Collections.Concurrent;
using Gregor.Storage.Checkpoints;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage;

/// <summary>
/// The fsync of a new log's partition.metadata, off the path that creates the log (as Kafka flushes it on
/// its scheduler): creating thousands of logs for one LeaderAndIsr would otherwise wait for two fsyncs
/// each (file and directory, ~1 ms together on a virtual disk). The file is renamed into place at once,
/// so it is whole whenever it is seen; one background flusher at a time makes the queued ones durable,
/// with their directories and, once per pass, the log dirs holding them; shutdown waits for it and
/// flushes what is left before the clean-shutdown markers. A partition deleted meanwhile is skipped.
/// </summary>
public sealed partial class LogManager
{
    private readonly ConcurrentQueue<string> _unflushedMetadata = new();
    private readonly Lock _metadataFlushLock = new();
    private Task _metadataFlush = Task.CompletedTask;
    private int _metadataFlushing;

    private void QueueMetadataFlush(string partitionDir)
    {
        _unflushedMetadata.Enqueue(partitionDir);
        if (Interlocked.CompareExchange(ref _metadataFlushing, 1, 0) == 0)
        {
            Volatile.Write(ref _metadataFlush, Task.Run(FlushQueuedMetadataInBackground));
        }
    }

    private void FlushQueuedMetadataInBackground()
    {
        do
        {
            FlushQueuedMetadata();
            Volatile.Write(ref _metadataFlushing, 0);
        }
        // Queued after the last pass emptied the queue but before the flag dropped: nobody else started a flusher.
        while (!_unflushedMetadata.IsEmpty && Interlocked.CompareExchange(ref _metadataFlushing, 1, 0) == 0);
    }

    private void FlushQueuedMetadataNow()
    {
        Volatile.Read(ref _metadataFlush).Wait();
        FlushQueuedMetadata();
    }

    private void FlushQueuedMetadata()
    {
        lock (_metadataFlushLock)
        {
            var logDirs = new HashSet<string>(StringComparer.Ordinal);
            while (_unflushedMetadata.TryDequeue(out var dir))
            {
                try
                {
                    AtomicFile.FlushFile(Path.Combine(dir, LogFileNames.PartitionMetadataFile));
                    AtomicFile.FlushDirectory(dir);
                    logDirs.Add(Path.GetDirectoryName(dir)!);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    // Deleted since: nothing to make durable.
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _logger.LogError("Could not fsync {Path}: {Error}", Path.Combine(dir, LogFileNames.PartitionMetadataFile), e.Message);
                }
            }
            foreach (var logDir in logDirs)
            {
                AtomicFile.FlushDirectory(logDir);
            }
        }
    }
}
