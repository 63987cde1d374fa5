using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster;

/// <summary>A topic as the cluster store keeps it: name, id, partition count, replication factor, config overrides.</summary>
public sealed record TopicRecord(string Name, Uuid TopicId, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string> Configs);
