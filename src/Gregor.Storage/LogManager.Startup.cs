using System.Collections.Concurrent;
using Gregor.Protocol.Wire;
using Gregor.Storage.Checkpoints;
using Gregor.Storage.Cleaner;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.Storage;

/// <summary>Start-up of the log manager: lock the log dirs, read their checkpoints, load (and recover) every partition within the descriptor budget.</summary>
public sealed partial class LogManager
{
    /// <summary>
    /// Opens every log dir (creating missing ones; a dir that cannot be written stops start-up
    /// naming it) and locks it for as long as this manager runs (a dir another broker holds stops
    /// start-up with <see cref="LogDirInUseException"/> before anything in it is touched), writes or
    /// checks meta.properties, loads all partitions, removes the clean-shutdown markers and starts
    /// the background tasks.
    /// </summary>
    public void Startup()
    {
        if (_started)
        {
            return;
        }
        // Past ulimit -f a write must fail (EFBIG, taking the dir offline), not kill the process.
        FileSizeLimit.IgnoreSignal();
        try
        {
            StartupLocked();
        }
        catch
        {
            ReleaseLocks();
            throw;
        }
    }

    private void StartupLocked()
    {
        var perDir = new List<(string Dir, bool Clean, List<(TopicPartition Tp, string Path)> Partitions, CheckpointSet Checkpoints)>();
        var seen = new Dictionary<TopicPartition, string>();
        foreach (var dir in _logDirs)
        {
            try
            {
                Directory.CreateDirectory(dir);
                var probe = Path.Combine(dir, ".gregor-write-probe");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"log dir {dir} cannot be created or written: {e.Message}", e);
            }
            _locks.Add(LogDirLock.Acquire(dir));
            MetaProperties.WriteOrValidate(dir, _options.BrokerId, _options.ClusterId);
            var clean = File.Exists(Path.Combine(dir, LogFileNames.CleanShutdownFile));
            var partitions = new List<(TopicPartition, string)>();
            foreach (var sub in Directory.GetDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                if (!TopicPartition.TryParseDirectoryName(name, out var tp))
                {
                    _logger.LogWarning("Skipping {Dir}: not a topic-partition directory name", sub);
                    continue;
                }
                if (seen.TryGetValue(tp, out var other))
                {
                    throw new InvalidOperationException($"partition {tp} exists in both {other} and {sub}");
                }
                seen[tp] = sub;
                partitions.Add((tp, sub));
            }
            perDir.Add((dir, clean, partitions, CheckpointSet.Read(dir)));
        }
        TakeOfflineWhatDoesNotFit(perDir.SelectMany(d => d.Partitions));
        var loads = perDir.Select(d => Task.Run(() =>
        {
            if (!d.Clean && d.Partitions.Count > 0)
            {
                _logger.LogWarning("Log dir {Dir} was not shut down cleanly; recovering {Count} partitions", d.Dir, d.Partitions.Count);
            }
            Parallel.ForEach(d.Partitions, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.RecoveryThreadsPerDataDir) }, p =>
            {
                var state = new LoadState
                {
                    CleanShutdown = d.Clean,
                    RecoveryPoint = d.Checkpoints.RecoveryPoints.TryGetValue(p.Tp, out var rp) ? rp : null,
                    LogStartOffset = d.Checkpoints.LogStartOffsets.TryGetValue(p.Tp, out var lso) ? lso : null,
                    HighWatermark = d.Checkpoints.HighWatermarks.TryGetValue(p.Tp, out var hw) ? hw : null,
                    CleanerCheckpoint = d.Checkpoints.CleanerOffsets.TryGetValue(p.Tp, out var co) ? co : null,
                };
                if (state.CleanerCheckpoint is { } firstDirty)
                {
                    Cleaner.SetCheckpoint(p.Tp, firstDirty);
                }
                if (_offline.ContainsKey(p.Tp))
                {
                    return;
                }
                try
                {
                    var log = PartitionLog.Load(p.Path, p.Tp, ConfigFor(p.Tp.Topic), state, _time, _loggerFactory.CreateLogger<PartitionLog>());
                    log.FailureChannel = Failures;
                    _logs[p.Tp] = log;
                }
                catch (IOException e)
                {
                    // Out of descriptors despite the budget, or an unreadable file: this partition only.
                    _offline[p.Tp] = p.Path;
                    _logger.LogError("Partition {Partition} is offline until a restart: {Dir} could not be opened: {Error}", p.Tp, p.Path, e.Message);
                }
            });
        })).ToArray();
        Task.WaitAll(loads);
        lock (_createLock)
        {
            foreach (var (dir, _, partitions, _) in perDir)
            {
                _partitionsPerDir[dir] = partitions.Count;
            }
        }
        foreach (var (dir, _, _, _) in perDir)
        {
            File.Delete(Path.Combine(dir, LogFileNames.CleanShutdownFile));
        }
        CheckpointAll();
        _started = true;
        if (_options.StartBackgroundTasks)
        {
            _stopping = new CancellationTokenSource();
            _scheduler = Task.Run(() => RunSchedulerAsync(_stopping.Token));
            if (_options.CleanerEnable)
            {
                Cleaner.Start();
            }
        }
    }

    /// <summary>
    /// Marks offline, before anything is opened, the partitions whose segments would pass
    /// <see cref="LogManagerOptions.MaxOpenDescriptors"/>; the others, in name order, are loaded.
    /// </summary>
    private void TakeOfflineWhatDoesNotFit(IEnumerable<(TopicPartition Tp, string Path)> partitions)
    {
        var free = FreeDescriptors;
        foreach (var (tp, path) in partitions.OrderBy(p => p.Tp.Topic, StringComparer.Ordinal).ThenBy(p => p.Tp.Partition))
        {
            var segments = Math.Max(1, Directory.EnumerateFiles(path, "*" + LogFileNames.LogSuffix).Count());
            var needed = (long)segments * StorageDescriptors.PerSegment;
            if (needed <= free)
            {
                free -= needed;
                continue;
            }
            _offline[tp] = path;
            _logger.LogError(
                "Partition {Partition} is offline until a restart: its {Segments} segments need {Needed} file descriptors and only {Free} of the {Budget} the logs may hold are left (raise the open-files limit)",
                tp, segments, needed, free, _options.MaxOpenDescriptors);
        }
    }

    private sealed record CheckpointSet(
        Dictionary<TopicPartition, long> RecoveryPoints,
        Dictionary<TopicPartition, long> LogStartOffsets,
        Dictionary<TopicPartition, long> HighWatermarks,
        Dictionary<TopicPartition, long> CleanerOffsets)
    {
        public static CheckpointSet Read(string dir) => new(
            new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.RecoveryPointCheckpointFile)).Read(),
            new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.LogStartOffsetCheckpointFile)).Read(),
            new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.ReplicationOffsetCheckpointFile)).Read(),
            new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.CleanerOffsetCheckpointFile)).Read());
    }
}
