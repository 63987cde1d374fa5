using System.Collections.Concurrent;
using Gregor.Protocol.Wire;
using Gregor.Storage.Checkpoints;
using Gregor.Storage.Cleaner;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.Storage;

/// <summary>
/// Owns every partition log of this broker across the log dirs: start-up (meta.properties, load
/// and crash recovery with num.recovery.threads.per.data.dir threads per dir), placement of new
/// partitions, per-topic configs, the background tasks (retention, flush.ms, checkpoints, cleaner,
/// delayed file deletion) and clean shutdown (checkpoints, then the .kafka_cleanshutdown marker).
/// <para>
/// Ownership: the partition map is a concurrent dictionary; creation and deletion of partitions
/// are serialised by <c>_createLock</c>, which also guards the partition count per log dir.
/// Each <see cref="PartitionLog"/> guards its own state. Partitions that could not be opened at
/// start-up (not enough descriptors in <see cref="LogManagerOptions.MaxOpenDescriptors"/>, or an
/// I/O error) are offline: kept on disk, never opened until a restart, and logged once.
/// Checkpoint files are written only by the checkpoint task or shutdown (<c>_checkpointLock</c>).
/// </para>
/// <para>
/// A log dir that fails an I/O operation goes offline (<see cref="Failures"/>): its logs refuse
/// appends and reads, nothing more is written there (checkpoints, flushes, retention, new
/// partitions, the clean-shutdown marker), and the other dirs go on. A restart brings it back
/// through recovery.
/// </para>
/// </summary>
public sealed partial class LogManager : IDisposable
{
    private readonly LogManagerOptions _options;
    private readonly Func<string, LogConfig?>? _topicConfigs;
    private readonly ConcurrentDictionary<string, LogConfig> _configOverrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<TopicPartition, string> _offline = new();
    private readonly Dictionary<string, int> _partitionsPerDir = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private readonly Lock _checkpointLock = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<string> _logDirs;
    private readonly List<LogDirLock> _locks = [];
    private CancellationTokenSource? _stopping;
    private Task? _scheduler;
    private bool _started;

    /// <param name="options">Broker-wide settings.</param>
    /// <param name="topicConfigs">Per-topic overrides: the config for a topic, or null for <see cref="LogManagerOptions.DefaultConfig"/>.</param>
    public LogManager(LogManagerOptions options, Func<string, LogConfig?>? topicConfigs = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        if (options.LogDirs.Count == 0)
        {
            throw new ArgumentException("log.dirs is empty", nameof(options));
        }
        _options = options;
        _topicConfigs = topicConfigs;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<LogManager>();
        _time = time ?? TimeProvider.System;
        _logDirs = options.LogDirs.Select(Path.GetFullPath).ToList();
        Failures = new LogDirFailureChannel(_logger);
        Cleaner = new LogCleaner(this, _loggerFactory.CreateLogger<LogCleaner>(), _time, options.CleanerBackoffMs);
    }

    public IReadOnlyList<string> LogDirs => _logDirs;

    public LogCleaner Cleaner { get; }

    /// <summary>The log dirs that failed and are offline until restart.</summary>
    public LogDirFailureChannel Failures { get; }

    public bool IsLogDirOffline(string logDir) => Failures.IsOffline(logDir);

    public ICollection<PartitionLog> AllLogs => _logs.Values;

    /// <summary>Partitions on disk that could not be opened at start-up (see the class comment).</summary>
    public ICollection<TopicPartition> OfflinePartitions => _offline.Keys;

    public bool IsOffline(TopicPartition tp) => _offline.ContainsKey(tp);

    /// <summary>See <see cref="LogManagerOptions.MaxOpenDescriptors"/>.</summary>
    public long MaxOpenDescriptors => _options.MaxOpenDescriptors;

    /// <summary>
    /// Descriptors that open segments may still take within <see cref="LogManagerOptions.MaxOpenDescriptors"/>:
    /// what a caller checks before creating partitions (<see cref="StorageDescriptors.PerNewPartition"/> each).
    /// </summary>
    public long FreeDescriptors => Math.Max(0, _options.MaxOpenDescriptors - StorageDescriptors.Open);

    public LogConfig ConfigFor(string topic) =>
        _configOverrides.TryGetValue(topic, out var c) ? c : _topicConfigs?.Invoke(topic) ?? _options.DefaultConfig;

    /// <summary>Changes a topic's config live: every partition of the topic uses it from now on.</summary>
    public void UpdateTopicConfig(string topic, LogConfig config)
    {
        _configOverrides[topic] = config;
        foreach (var (tp, log) in _logs)
        {
            if (tp.Topic == topic)
            {
                log.Config = config;
            }
        }
    }

    public PartitionLog? GetLog(TopicPartition tp) => _logs.TryGetValue(tp, out var log) ? log : null;

    /// <summary>
    /// The partition's log, created when missing in the log dir holding the fewest partitions
    /// (ties: the first listed). <paramref name="topicId"/> is written to partition.metadata.
    /// </summary>
    public PartitionLog GetOrCreateLog(TopicPartition tp, Uuid? topicId = null)
    {
        if (_logs.TryGetValue(tp, out var existing))
        {
            return existing;
        }
        lock (_createLock)
        {
            if (_logs.TryGetValue(tp, out existing))
            {
                return existing;
            }
            if (_offline.ContainsKey(tp))
            {
                throw new InvalidOperationException($"partition {tp} is offline");
            }
            var live = _logDirs.Where(d => !Failures.IsOffline(d)).ToList();
            if (live.Count == 0)
            {
                throw new KafkaStorageException(_logDirs[0], $"cannot create {tp}: every log dir is offline");
            }
            var dir = live.MinBy(d => _partitionsPerDir.GetValueOrDefault(d))!;
            var path = Path.Combine(dir, tp.DirectoryName);
            PartitionLog created;
            try
            {
                Directory.CreateDirectory(path);
                if (topicId is { } id)
                {
                    PartitionMetadataFile.Write(path, id, sync: false);
                    QueueMetadataFlush(path);
                }
                created = PartitionLog.Load(path, tp, ConfigFor(tp.Topic), new LoadState { CleanShutdown = true }, _time, _loggerFactory.CreateLogger<PartitionLog>());
            }
            catch (IOException e)
            {
                throw Failures.Fail(dir, $"creating {tp}", e);
            }
            created.FailureChannel = Failures;
            _logs[tp] = created;
            _partitionsPerDir[dir] = _partitionsPerDir.GetValueOrDefault(dir) + 1;
            _logger.LogInformation("Created log for {Partition} in {Dir}", tp, dir);
            return created;
        }
    }

    /// <summary>Removes a partition and its directory.</summary>
    public void DeleteLog(TopicPartition tp)
    {
        lock (_createLock)
        {
            if (_logs.TryRemove(tp, out var log))
            {
                Cleaner.Forget(tp);
                log.Delete();
                _partitionsPerDir[log.LogDir] = _partitionsPerDir.GetValueOrDefault(log.LogDir) - 1;
            }
            else if (_offline.TryRemove(tp, out var path))
            {
                Directory.Delete(path, recursive: true);
                var dir = Path.GetDirectoryName(path)!;
                _partitionsPerDir[dir] = _partitionsPerDir.GetValueOrDefault(dir) - 1;
            }
        }
    }

    /// <summary>One retention pass over all partitions; returns segments deleted.</summary>
    public int RunRetention()
    {
        var deleted = 0;
        foreach (var log in _logs.Values)
        {
            if (log.IsOffline)
            {
                continue;
            }
            try
            {
                deleted += log.DeleteOldSegments();
            }
            catch (IOException e)
            {
                Failures.Fail(log.LogDir, $"deleting old segments of {log.TopicPartition}", e);
            }
            catch (ObjectDisposedException e)
            {
                _logger.LogError(e, "Retention failed for {Partition}", log.TopicPartition);
            }
        }
        return deleted;
    }

    /// <summary>Writes recovery points, log start offsets and high watermarks of every log dir.</summary>
    public void CheckpointAll()
    {
        lock (_checkpointLock)
        {
            foreach (var dir in _logDirs.Where(d => !Failures.IsOffline(d)))
            {
                var logs = _logs.Values.Where(l => l.LogDir == dir).OrderBy(l => l.TopicPartition.Topic, StringComparer.Ordinal).ThenBy(l => l.TopicPartition.Partition).ToList();
                try
                {
                    new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.RecoveryPointCheckpointFile))
                        .Write(logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.RecoveryPoint)));
                    new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.LogStartOffsetCheckpointFile))
                        .Write(logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.LogStartOffset)));
                    new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.ReplicationOffsetCheckpointFile))
                        .Write(logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.HighWatermark)));
                }
                catch (IOException e)
                {
                    Failures.Fail(dir, "writing checkpoints", e);
                }
            }
        }
    }

    internal void WriteCleanerCheckpoints(IReadOnlyDictionary<TopicPartition, long> offsets)
    {
        foreach (var dir in _logDirs.Where(d => !Failures.IsOffline(d)))
        {
            var entries = offsets.Where(kv => _logs.TryGetValue(kv.Key, out var l) && l.LogDir == dir).ToList();
            try
            {
                new OffsetCheckpointFile(Path.Combine(dir, LogFileNames.CleanerOffsetCheckpointFile)).Write(entries);
            }
            catch (IOException e)
            {
                Failures.Fail(dir, "writing the cleaner checkpoint", e);
            }
        }
    }

    private async Task RunSchedulerAsync(CancellationToken token)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_options.FlushCheckIntervalMs, 10, 1000));
        var lastRetention = _time.GetUtcNow();
        var lastCheckpoint = _time.GetUtcNow();
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                foreach (var log in _logs.Values)
                {
                    if (log.IsOffline)
                    {
                        continue;
                    }
                    try
                    {
                        log.MaybeFlushByTime();
                        log.DeletePendingFiles();
                    }
                    catch (IOException e)
                    {
                        Failures.Fail(log.LogDir, $"flushing {log.TopicPartition}", e);
                    }
                }
                var now = _time.GetUtcNow();
                if ((now - lastRetention).TotalMilliseconds >= _options.RetentionCheckIntervalMs)
                {
                    lastRetention = now;
                    RunRetention();
                }
                if ((now - lastCheckpoint).TotalMilliseconds >= _options.CheckpointIntervalMs)
                {
                    lastCheckpoint = now;
                    CheckpointAll();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                _logger.LogError(e, "Log manager background task failed");
            }
        }
    }

    public void Dispose() => Shutdown();
}
