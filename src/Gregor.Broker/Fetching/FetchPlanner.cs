using Gregor.Broker.Cluster;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Fetching;

/// <summary>
/// One partition to read, with the name and id it is known by; <see cref="Cached"/> is its session
/// entry, if any. <see cref="CurrentLeaderEpoch"/> (v9+), <see cref="LastFetchedEpoch"/> (v12+) and
/// <see cref="LogStartOffset"/> (v5+, a follower's) are as requested, -1 when not sent (a partition
/// a session carries over from an earlier request has -1).
/// </summary>
public sealed record PlannedPartition(FetchPartitionKey Key, string Topic, long FetchOffset, int MaxBytes, CachedFetchPartition? Cached)
{
    public int CurrentLeaderEpoch { get; init; } = -1;

    public int LastFetchedEpoch { get; init; } = -1;

    public long LogStartOffset { get; init; } = -1;
}

/// <summary>
/// The partitions a fetch reads, in response order. <see cref="Incremental"/>: the request
/// continues a session, so partitions with nothing new are left out of the response.
/// </summary>
public sealed record FetchPlan(ErrorCode Error, List<PlannedPartition> Partitions, FetchSession? Session, bool Incremental);

/// <summary>
/// Turns a Fetch request into the partitions to read under KIP-227's session rules: versions
/// below 7 and epoch -1 (closing a session) fetch exactly what they list; epoch 0 opens a new
/// session (a full response); a later epoch must match the session's next epoch and fetches
/// every partition of the session, after applying the request's additions and forgotten
/// partitions. Unknown sessions get FETCH_SESSION_ID_NOT_FOUND, stale epochs
/// INVALID_FETCH_SESSION_EPOCH. Topics are named by id from v13, by name before. A partition listed
/// twice is planned once.
/// </summary>
public sealed class FetchPlanner(IMetadataCache metadata, FetchSessionCache sessions)
{
    private const int FinalEpoch = -1;
    private const int InitialEpoch = 0;

    public FetchPlan Plan(FetchRequest request, short version)
    {
        var requested = new List<PlannedPartition>();
        foreach (var topic in request.Topics)
        {
            var name = TopicName(version, topic.TopicId, topic.Topic);
            foreach (var p in topic.Partitions)
            {
                requested.Add(new PlannedPartition(new FetchPartitionKey(version >= 13 ? topic.TopicId : default, name, p.Partition), name, p.FetchOffset, p.PartitionMaxBytes, null)
                {
                    CurrentLeaderEpoch = p.CurrentLeaderEpoch,
                    LastFetchedEpoch = p.LastFetchedEpoch,
                    LogStartOffset = p.LogStartOffset,
                });
            }
        }
        requested = Collapse(requested);
        if (version < 7 || request.SessionEpoch == FinalEpoch)
        {
            if (request.SessionId != 0)
            {
                sessions.Remove(request.SessionId);
            }
            return new FetchPlan(ErrorCode.None, requested, null, false);
        }
        if (request.SessionEpoch == InitialEpoch)
        {
            if (request.SessionId != 0)
            {
                sessions.Remove(request.SessionId);
            }
            var created = sessions.Create();
            var planned = requested.Select(p => p with { Cached = Track(created, p) }).ToList();
            return new FetchPlan(ErrorCode.None, planned, created, false);
        }
        var session = sessions.Find(request.SessionId);
        if (session is null)
        {
            return new FetchPlan(ErrorCode.FetchSessionIdNotFound, [], null, false);
        }
        lock (session)
        {
            if (session.NextEpoch != request.SessionEpoch)
            {
                return new FetchPlan(ErrorCode.InvalidFetchSessionEpoch, [], null, false);
            }
            session.NextEpoch = request.SessionEpoch == int.MaxValue ? 1 : request.SessionEpoch + 1;
            foreach (var forgotten in request.ForgottenTopicsData)
            {
                var name = TopicName(version, forgotten.TopicId, forgotten.Topic);
                foreach (var partition in forgotten.Partitions)
                {
                    var key = new FetchPartitionKey(version >= 13 ? forgotten.TopicId : default, name, partition);
                    session.Partitions.RemoveAll(c => c.Key.Equals(key));
                }
            }
            foreach (var p in requested)
            {
                Track(session, p);
            }
            var planned = session.Partitions
                .Select(c => new PlannedPartition(c.Key, c.Key.Topic, c.FetchOffset, c.MaxBytes, c))
                .ToList();
            return new FetchPlan(ErrorCode.None, planned, session, true);
        }
    }

    /// <summary>
    /// A partition listed more than once is fetched once, where it was first listed, with the
    /// offset and limit of its last listing, as Kafka's map of requested partitions does: one
    /// request can never make the broker read (or down-convert) the same data several times.
    /// </summary>
    private static List<PlannedPartition> Collapse(List<PlannedPartition> requested)
    {
        var index = new Dictionary<FetchPartitionKey, int>(requested.Count);
        var collapsed = new List<PlannedPartition>(requested.Count);
        foreach (var p in requested)
        {
            if (index.TryGetValue(p.Key, out var at))
            {
                collapsed[at] = p;
            }
            else
            {
                index[p.Key] = collapsed.Count;
                collapsed.Add(p);
            }
        }
        return collapsed;
    }

    /// <summary>The topic's name: looked up by id from v13 ("" when the id is unknown), as sent before.</summary>
    private string TopicName(short version, Protocol.Wire.Uuid topicId, string topic) =>
        version >= 13 ? metadata.FindTopic(topicId)?.Name ?? "" : topic;

    /// <summary>The session's entry for a requested partition, added if new, with the request's offset and limit.</summary>
    private static CachedFetchPartition Track(FetchSession session, PlannedPartition requested)
    {
        var cached = session.Find(requested.Key);
        if (cached is null)
        {
            cached = new CachedFetchPartition(requested.Key);
            session.Partitions.Add(cached);
        }
        cached.FetchOffset = requested.FetchOffset;
        cached.MaxBytes = requested.MaxBytes;
        return cached;
    }
}
