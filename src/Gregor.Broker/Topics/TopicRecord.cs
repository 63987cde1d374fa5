using Gregor.Protocol.Wire;

namespace Gregor.Broker.Topics;

/// <summary>A topic as the single-node metadata file keeps it: name, id, partition count, replication factor, config overrides.</summary>
public sealed record TopicRecord(string Name, Uuid TopicId, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string> Configs);
