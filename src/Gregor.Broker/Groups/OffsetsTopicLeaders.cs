using Gregor.Broker.Cluster;
using Gregor.Broker.Topics;

namespace Gregor.Broker.Groups;

/// <summary>Where FindCoordinator sends a group, from the broker's metadata.</summary>
public static class OffsetsTopicLeaders
{
    /// <summary>
    /// The live broker that leads partition p of __consumer_offsets as <paramref name="metadata"/>
    /// says; null when the partition has no leader (or the topic could not be created).
    /// <paramref name="ensureTopic"/> first creates the topic when missing, as Kafka's FindCoordinator
    /// does.
    /// </summary>
    public static Func<int, BrokerEndpoint?> From(IMetadataCache metadata, Action ensureTopic) => partition =>
    {
        var topic = metadata.FindTopic(InternalTopics.ConsumerOffsets);
        if (topic is null)
        {
            ensureTopic();
            topic = metadata.FindTopic(InternalTopics.ConsumerOffsets);
        }
        var leader = topic?.Partitions.FirstOrDefault(p => p.Partition == partition)?.Leader ?? -1;
        return leader < 0 ? null : metadata.Brokers.FirstOrDefault(b => b.NodeId == leader);
    };
}
