using Gregor.Broker.Config;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.Broker.Topics;

/// <summary>Maps a topic's effective configuration (broker defaults + overrides) onto the storage layer's options.</summary>
public static class LogConfigMapper
{
    public static LogConfig ToLogConfig(TopicConfig topic) => new()
    {
        SegmentBytes = topic.SegmentBytes,
        SegmentMs = topic.SegmentMs,
        RetentionMs = topic.RetentionMs,
        RetentionBytes = topic.RetentionBytes,
        IndexIntervalBytes = topic.IndexIntervalBytes,
        MaxIndexSize = topic.SegmentIndexBytes,
        FlushIntervalMessages = topic.FlushMessages,
        FlushIntervalMs = topic.FlushMs,
        CleanupPolicy = topic.CleanupPolicy switch
        {
            CleanupPolicy.Compact => "compact",
            CleanupPolicy.Compact | CleanupPolicy.Delete => "compact,delete",
            _ => "delete",
        },
        DeleteRetentionMs = topic.DeleteRetentionMs,
        MinCleanableDirtyRatio = topic.MinCleanableDirtyRatio,
        MinCompactionLagMs = topic.MinCompactionLagMs,
        FileDeleteDelayMs = topic.FileDeleteDelayMs,
        MessageTimestampType = topic.MessageTimestampType == MessageTimestampType.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
        MaxMessageBytes = topic.MaxMessageBytes,
        MinInSyncReplicas = topic.MinInSyncReplicas,
        MessageTimestampBeforeMaxMs = Math.Min(topic.MessageTimestampBeforeMaxMs, topic.MessageTimestampDifferenceMaxMs),
        MessageTimestampAfterMaxMs = Math.Min(topic.MessageTimestampAfterMaxMs, topic.MessageTimestampDifferenceMaxMs),
    };
}
