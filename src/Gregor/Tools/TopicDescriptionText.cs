using System.Globalization;

namespace Gregor.Tools;

/// <summary>
/// kafka-topics.sh --describe's layout, shared by the --bootstrap-server and --zookeeper paths: a topic line
/// (TopicId, left out when the topic has none, PartitionCount, ReplicationFactor, non-default Configs as
/// k=v,k=v) then one tab-indented line per partition, leader "none" when there is none. Kafka 3.9's partition
/// line (the --bootstrap-server path) ends with the eligible leader replicas, Elr and LastKnownElr, "N/A" for a
/// cluster whose Metadata carries none (ZooKeeper mode never does); kafka-topics.sh --zookeeper (Kafka 2.x) had
/// no such columns.
/// </summary>
public static class TopicDescriptionText
{
    public static string TopicLine(string topic, string? topicId, int partitionCount, int replicationFactor, string configs) =>
        $"Topic: {topic}{(topicId is null ? "" : $"\tTopicId: {topicId}")}\tPartitionCount: {partitionCount}\tReplicationFactor: {replicationFactor}\tConfigs: {configs}";

    public static string PartitionLine(string topic, int partition, int? leader, IEnumerable<int> replicas, IEnumerable<int> isr) =>
        $"\tTopic: {topic}\tPartition: {partition}\tLeader: {(leader is { } id ? id.ToString(CultureInfo.InvariantCulture) : "none")}" +
        $"\tReplicas: {string.Join(',', replicas)}\tIsr: {string.Join(',', isr)}";

    /// <summary>Kafka 3.9's ELR columns for a partition without eligible leader replicas information.</summary>
    public const string NoEligibleLeaderReplicas = "\tElr: N/A\tLastKnownElr: N/A";
}
