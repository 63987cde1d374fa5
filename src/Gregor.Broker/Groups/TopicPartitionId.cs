namespace Gregor.Broker.Groups;

/// <summary>A topic partition as the coordinator keys committed offsets.</summary>
public readonly record struct TopicPartitionId(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}
