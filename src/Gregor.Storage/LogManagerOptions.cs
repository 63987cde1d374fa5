namespace Gregor.Storage;

/// <summary>Broker-wide storage settings (server.properties keys in brackets).</summary>
public sealed record LogManagerOptions
{
    /// <summary>[log.dirs / log.dir]</summary>
    public IReadOnlyList<string> LogDirs { get; init; } = [];

    /// <summary>[broker.id], written to and checked against meta.properties.</summary>
    public int BrokerId { get; init; }

    /// <summary>Cluster id, written to and checked against meta.properties.</summary>
    public string ClusterId { get; init; } = "";

    /// <summary>[num.recovery.threads.per.data.dir]</summary>
    public int RecoveryThreadsPerDataDir { get; init; } = 1;

    /// <summary>[log.retention.check.interval.ms]</summary>
    public long RetentionCheckIntervalMs { get; init; } = 300_000;

    /// <summary>[log.flush.scheduler.interval.ms]: how often flush.ms is checked.</summary>
    public long FlushCheckIntervalMs { get; init; } = 1_000;

    /// <summary>[log.flush.offset.checkpoint.interval.ms]: recovery-point, log-start-offset and high-watermark checkpoints.</summary>
    public long CheckpointIntervalMs { get; init; } = 60_000;

    /// <summary>[log.cleaner.enable]</summary>
    public bool CleanerEnable { get; init; } = true;

    /// <summary>[log.cleaner.backoff.ms]: pause of the cleaner when nothing is cleanable.</summary>
    public long CleanerBackoffMs { get; init; } = 15_000;

    /// <summary>Run background tasks (retention, flush, checkpoint, cleaner). Tests turn them off and call them directly.</summary>
    public bool StartBackgroundTasks { get; init; } = true;

    /// <summary>
    /// Descriptors the open segments of the log engine may hold (see <see cref="StorageDescriptors"/>):
    /// the process's open-files limit less a reserve for sockets and the runtime. A partition whose
    /// segments would pass it at start-up is left offline. Unlimited by default.
    /// </summary>
    public long MaxOpenDescriptors { get; init; } = long.MaxValue;

    /// <summary>Default config for topics without overrides.</summary>
    public LogConfig DefaultConfig { get; init; } = LogConfig.Default;
}
