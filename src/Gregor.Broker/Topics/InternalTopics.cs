using System.Globalization;
using Gregor.Broker.Config;

namespace Gregor.Broker.Topics;

/// <summary>
/// The topics Kafka reserves for the broker's own state. Only their coordinator creates them, with
/// their own settings (never num.partitions and the delete policy of a user topic): a client's
/// CreateTopics of one is refused, and a client's Produce to an internal one too.
/// __cluster_metadata is the KRaft metadata log, which is no topic at all; __transaction_state
/// belongs to the transaction coordinator, which this broker does not have yet.
/// </summary>
public static class InternalTopics
{
    public const string ConsumerOffsets = "__consumer_offsets";
    public const string TransactionState = "__transaction_state";
    public const string ClusterMetadata = "__cluster_metadata";

    /// <summary>Kafka's Topic.isInternal: the topics marked internal in Metadata, to which clients cannot append.</summary>
    public static bool IsInternal(string? name) => name is ConsumerOffsets or TransactionState;

    /// <summary>Names a client may not create: the internal topics and KRaft's metadata log.</summary>
    public static bool IsReserved(string? name) => IsInternal(name) || name is ClusterMetadata;

    /// <summary>
    /// __consumer_offsets as the group coordinator creates it: offsets.topic.num.partitions
    /// partitions (the coordinator places groups over them), offsets.topic.replication.factor capped
    /// at the live brokers, compacted (the latest record per group and partition is the state),
    /// offsets.topic.segment.bytes segments, and batches kept as written.
    /// </summary>
    public static TopicCreationRequest ConsumerOffsetsTopic(BrokerConfig config, int liveBrokers) => new(
        ConsumerOffsets,
        config.OffsetsTopicNumPartitions,
        (short)Math.Min(config.OffsetsTopicReplicationFactor, liveBrokers),
        null,
        new Dictionary<string, string>
        {
            ["cleanup.policy"] = "compact",
            ["segment.bytes"] = config.OffsetsTopicSegmentBytes.ToString(CultureInfo.InvariantCulture),
            ["compression.type"] = "producer",
        });
}
