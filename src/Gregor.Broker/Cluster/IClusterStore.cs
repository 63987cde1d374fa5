using Gregor.Broker.Config;
using Gregor.Protocol.Errors;

namespace Gregor.Broker.Cluster;

/// <summary>
/// The cluster's durable topic state: topics with their ids, replica assignments (one list of
/// broker ids per partition, the preferred leader first) and config overrides. Each change is a
/// conditional write that fails, changing nothing, when the state it assumed is gone (a topic
/// created meanwhile, deleted, or grown): so callers validate first and the store decides. On a
/// single node it is a local file and its changes apply at once to this broker's partitions and
/// metadata cache; a cluster keeps it in ZooKeeper and the controller applies it.
/// </summary>
public interface IClusterStore
{
    /// <summary>The topics as stored now.</summary>
    IReadOnlyCollection<TopicRecord> Topics { get; }

    TopicRecord? FindTopic(string name);

    /// <summary>
    /// TOPIC_ALREADY_EXISTS when the name is taken; <paramref name="assignment"/> has one entry per partition.
    /// A store whose changes are applied later (by a controller) waits up to <paramref name="applyTimeout"/> for
    /// that (zero: not at all) and answers REQUEST_TIMED_OUT past it, the change standing; so do the other changes.
    /// </summary>
    ValueTask<ErrorCode> CreateTopicAsync(TopicRecord topic, IReadOnlyList<IReadOnlyList<int>> assignment, TimeSpan applyTimeout, CancellationToken cancellationToken);

    /// <summary>UNKNOWN_TOPIC_OR_PARTITION when there is no such topic.</summary>
    ValueTask<ErrorCode> DeleteTopicAsync(string name, TimeSpan applyTimeout, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the partitions of <paramref name="newAssignment"/> after the <paramref name="currentCount"/>
    /// the topic has: UNKNOWN_TOPIC_OR_PARTITION when it is gone, INVALID_PARTITIONS when its count is no longer that.
    /// </summary>
    ValueTask<ErrorCode> CreatePartitionsAsync(string name, int currentCount, IReadOnlyList<IReadOnlyList<int>> newAssignment, TimeSpan applyTimeout, CancellationToken cancellationToken);

    /// <summary>Replaces a topic's config overrides (already validated): UNKNOWN_TOPIC_OR_PARTITION when it is gone.</summary>
    ValueTask<ErrorCode> SetTopicConfigsAsync(string name, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken);

    /// <summary>
    /// The broker's defaults changed (dynamic broker configs): the topics' storage configs are
    /// recomputed on this broker, so keys a topic does not override take the new default at once.
    /// </summary>
    void ApplyBrokerDefaults(BrokerConfig broker);
}
