using Gregor.Broker.Config;
using Gregor.Broker.Topics;
using Gregor.Storage;

namespace Gregor.Broker.Server;

/// <summary>Maps the broker's configuration onto the storage layer's options.</summary>
public static class StorageOptions
{
    public static LogManagerOptions From(BrokerConfig config, string clusterId) => new()
    {
        LogDirs = config.LogDirs,
        BrokerId = config.BrokerId,
        ClusterId = clusterId,
        RecoveryThreadsPerDataDir = config.NumRecoveryThreadsPerDataDir,
        RetentionCheckIntervalMs = config.RetentionCheckIntervalMs,
        FlushCheckIntervalMs = config.FlushSchedulerIntervalMs,
        CheckpointIntervalMs = config.FlushOffsetCheckpointIntervalMs,
        CleanerEnable = config.LogCleanerEnable,
        CleanerBackoffMs = config.LogCleanerBackoffMs,
        DefaultConfig = TopicManager.LogConfigFor(config, new Dictionary<string, string>()),
    };
}
