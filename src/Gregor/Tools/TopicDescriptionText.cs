namespace Gregor.Tools;

/// <summary>
/// kafka-topics.sh --describe's layout, shared by the --bootstrap-server and --zookeeper paths: a topic line (TopicId,
/// PartitionCount, ReplicationFactor, non-default Configs as k=v,k=v) then one tab-indented line per partition,
/// leader "none" when there is none.
/// </summary>
public static class TopicDescriptionText
{
    public static string TopicLine(string topic, string topicId, int partitionCount, int replicationFactor, string configs) =>
        $"Topic: {topic}\tTopicId: {topicId}\tPartitionCount: {partitionCount}\tReplicationFactor: {replicationFactor}\tConfigs: {configs}";

    public static string PartitionLine(string topic, int partition, int? leader, IEnumerable<int> replicas, IEnumerable<int> isr) =>
        $"\tTopic: {topic}\tPartition: {partition}\tLeader: {(leader is { } id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}" +
        $"\tReplicas: {string.Join(',', replicas)}\tIsr: {string.Join(',', isr)}";
}
