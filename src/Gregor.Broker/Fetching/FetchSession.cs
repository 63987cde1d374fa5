using Gregor.Protocol.Wire;

namespace Gregor.Broker.Fetching;

/// <summary>A partition in a fetch session, keyed by topic id (v13+) or topic name, and partition.</summary>
public readonly record struct FetchPartitionKey(Uuid TopicId, string Topic, int Partition)
{
    /// <summary>Sessions of v13+ identify topics by id alone; older ones by name alone.</summary>
    public bool Equals(FetchPartitionKey other) =>
        Partition == other.Partition && (TopicId.IsZero && other.TopicId.IsZero ? Topic == other.Topic : TopicId == other.TopicId);

    public override int GetHashCode() => HashCode.Combine(TopicId.IsZero ? Topic.GetHashCode(StringComparison.Ordinal) : TopicId.GetHashCode(), Partition);
}

/// <summary>What a session remembers of a partition: where the client fetches from, and what it was last told.</summary>
public sealed class CachedFetchPartition(FetchPartitionKey key)
{
    public FetchPartitionKey Key { get; } = key;

    public long FetchOffset { get; set; }

    public int MaxBytes { get; set; }

    /// <summary>-1 until the partition was first sent: a new partition always appears in the next response.</summary>
    public long LastHighWatermark { get; set; } = -1;

    public long LastLogStartOffset { get; set; } = -1;
}

/// <summary>
/// An incremental fetch session (KIP-227): the partitions a client fetches, in the order they
/// were added, and the epoch its next request must carry. Used by one request at a time (a
/// client's requests on a session are sequential); the cache's lock guards lookup and eviction.
/// </summary>
public sealed class FetchSession(int id)
{
    public int Id { get; } = id;

    /// <summary>The epoch the next request must carry.</summary>
    public int NextEpoch { get; set; } = 1;

    public List<CachedFetchPartition> Partitions { get; } = [];

    public long LastUsedTicks { get; set; }

    public CachedFetchPartition? Find(FetchPartitionKey key) => Partitions.Find(p => p.Key.Equals(key));
}
