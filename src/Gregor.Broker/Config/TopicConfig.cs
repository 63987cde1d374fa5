namespace Gregor.Broker.Config;

/// <summary>
/// A topic's effective configuration: its overrides over the broker's defaults, typed.
/// Immutable. Built by <see cref="TopicConfigDefinitions.Resolve"/>; the storage layer maps it
/// to its own options record.
/// </summary>
public sealed record TopicConfig
{
    // Every topic key → its effective typed value. Invariant: one entry per TopicConfigDefinitions.All key.
    private readonly IReadOnlyDictionary<string, object?> _values;

    internal TopicConfig(IReadOnlyDictionary<string, object?> values, IReadOnlyDictionary<string, string> overrides)
    {
        _values = values;
        Overrides = overrides;
        CleanupPolicy = CleanupPolicies.FromList((IReadOnlyList<string>)values["cleanup.policy"]!);
        CompressionType = (string)values["compression.type"]!;
        DeleteRetentionMs = (long)values["delete.retention.ms"]!;
        FileDeleteDelayMs = (long)values["file.delete.delay.ms"]!;
        FlushMessages = (long)values["flush.messages"]!;
        FlushMs = (long)values["flush.ms"]!;
        IndexIntervalBytes = (int)values["index.interval.bytes"]!;
        MaxCompactionLagMs = (long)values["max.compaction.lag.ms"]!;
        MaxMessageBytes = (int)values["max.message.bytes"]!;
        MessageDownconversionEnable = (bool)values["message.downconversion.enable"]!;
        MessageTimestampAfterMaxMs = (long)values["message.timestamp.after.max.ms"]!;
        MessageTimestampBeforeMaxMs = (long)values["message.timestamp.before.max.ms"]!;
        MessageTimestampDifferenceMaxMs = (long)values["message.timestamp.difference.max.ms"]!;
        MessageTimestampType = Enum.Parse<MessageTimestampType>((string)values["message.timestamp.type"]!);
        MinCleanableDirtyRatio = (double)values["min.cleanable.dirty.ratio"]!;
        MinCompactionLagMs = (long)values["min.compaction.lag.ms"]!;
        MinInSyncReplicas = (int)values["min.insync.replicas"]!;
        Preallocate = (bool)values["preallocate"]!;
        RetentionBytes = (long)values["retention.bytes"]!;
        var retention = (long)values["retention.ms"]!;
        RetentionMs = retention < 0 ? -1 : retention;
        SegmentBytes = (int)values["segment.bytes"]!;
        SegmentIndexBytes = (int)values["segment.index.bytes"]!;
        SegmentJitterMs = (long)values["segment.jitter.ms"]!;
        SegmentMs = (long)values["segment.ms"]!;
        UncleanLeaderElectionEnable = (bool)values["unclean.leader.election.enable"]!;
    }

    /// <summary>The topic's own overrides, as given (key → text).</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    /// <summary>The effective typed value of any topic key.</summary>
    /// <exception cref="KeyNotFoundException">Not a topic key.</exception>
    public object? Get(string key) => _values[key];

    public CleanupPolicy CleanupPolicy { get; }

    /// <summary>uncompressed, zstd, lz4, snappy, gzip or producer.</summary>
    public string CompressionType { get; }
    public long DeleteRetentionMs { get; }
    public long FileDeleteDelayMs { get; }
    public long FlushMessages { get; }
    public long FlushMs { get; }
    public int IndexIntervalBytes { get; }
    public long MaxCompactionLagMs { get; }
    public int MaxMessageBytes { get; }
    public bool MessageDownconversionEnable { get; }
    public long MessageTimestampAfterMaxMs { get; }
    public long MessageTimestampBeforeMaxMs { get; }
    public long MessageTimestampDifferenceMaxMs { get; }
    public MessageTimestampType MessageTimestampType { get; }
    public double MinCleanableDirtyRatio { get; }
    public long MinCompactionLagMs { get; }
    public int MinInSyncReplicas { get; }
    public bool Preallocate { get; }

    /// <summary>Per partition; -1 means no size limit.</summary>
    public long RetentionBytes { get; }

    /// <summary>-1 means keep forever (any negative value is normalised to -1).</summary>
    public long RetentionMs { get; }
    public int SegmentBytes { get; }
    public int SegmentIndexBytes { get; }
    public long SegmentJitterMs { get; }
    public long SegmentMs { get; }
    public bool UncleanLeaderElectionEnable { get; }
}
