using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>A topic as the cluster knows it. Immutable: a change publishes a new instance.</summary>
public sealed record TopicMetadata(
    string Name,
    Uuid TopicId,
    bool IsInternal,
    IReadOnlyList<PartitionMetadata> Partitions,
    IReadOnlyDictionary<string, string> Configs);

/// <summary>One partition's leadership: leader broker id (-1: none), its epoch, replicas and in-sync replicas.</summary>
public sealed record PartitionMetadata(int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);
