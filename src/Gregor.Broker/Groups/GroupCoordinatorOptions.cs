using Gregor.Broker.Config;

namespace Gregor.Broker.Groups;

/// <summary>The group coordinator's settings, Kafka's group.* and offsets.* keys.</summary>
public sealed record GroupCoordinatorOptions
{
    /// <summary>group.min.session.timeout.ms: least session timeout a member may ask for.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>group.max.session.timeout.ms: most session timeout a member may ask for.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1800000;

    /// <summary>group.initial.rebalance.delay.ms: how long an empty group waits for more members
    /// before its first rebalance completes (extended by each new member, up to the rebalance timeout).</summary>
    public int InitialRebalanceDelayMs { get; init; } = 3000;

    /// <summary>group.max.size: most members in one group.</summary>
    public int MaxSize { get; init; } = int.MaxValue;

    /// <summary>offsets.topic.num.partitions: a group's offsets and metadata live in partition
    /// <see cref="GroupPartitioner.PartitionFor"/> of __consumer_offsets.</summary>
    public int OffsetsTopicNumPartitions { get; init; } = 50;

    /// <summary>offsets.retention.minutes, in ms: how long the offsets of an empty group are kept.</summary>
    public long OffsetsRetentionMs { get; init; } = 10080L * 60 * 1000;

    /// <summary>offsets.retention.check.interval.ms: how often expired offsets are looked for.</summary>
    public long OffsetsRetentionCheckIntervalMs { get; init; } = 600000;

    /// <summary>offset.metadata.max.bytes: longest metadata string a commit may carry (Kafka's default).</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;

    /// <summary>How long a new member's JoinGroup may wait before the member is dropped (Kafka: 5 minutes).
    /// New members cannot heartbeat, so this is what removes those that disconnected mid-rebalance.</summary>
    public int NewMemberJoinTimeoutMs { get; init; } = 5 * 60 * 1000;

    public static GroupCoordinatorOptions From(BrokerConfig config) => new()
    {
        MinSessionTimeoutMs = config.GroupMinSessionTimeoutMs,
        MaxSessionTimeoutMs = config.GroupMaxSessionTimeoutMs,
        InitialRebalanceDelayMs = config.GroupInitialRebalanceDelayMs,
        MaxSize = config.GroupMaxSize,
        OffsetsTopicNumPartitions = config.OffsetsTopicNumPartitions,
        OffsetsRetentionMs = config.OffsetsRetentionMinutes * 60L * 1000,
        OffsetsRetentionCheckIntervalMs = config.OffsetsRetentionCheckIntervalMs,
    };
}
