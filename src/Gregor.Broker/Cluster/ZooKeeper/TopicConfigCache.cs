using System.Collections.Concurrent;
using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// Topic config overrides as ZooKeeper holds them (/config/topics/&lt;topic&gt;), read on first use
/// and kept current by the config change notifications (<see cref="ConfigChangeListener"/>). A
/// missing or malformed znode means no overrides (the malformed one is logged).
/// </summary>
public sealed class TopicConfigCache(ZooKeeperSession zookeeper, ILogger<TopicConfigCache> logger)
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _byTopic = new(StringComparer.Ordinal);

    /// <summary>The overrides known for <paramref name="topic"/> (none when not read yet).</summary>
    public IReadOnlyDictionary<string, string> Get(string topic) => _byTopic.GetValueOrDefault(topic) ?? None;

    public void Set(string topic, IReadOnlyDictionary<string, string> overrides) => _byTopic[topic] = overrides;

    public void Remove(string topic) => _byTopic.TryRemove(topic, out _);

    /// <summary>The overrides of <paramref name="topic"/>, read from ZooKeeper when not known yet.</summary>
    public async ValueTask<IReadOnlyDictionary<string, string>> GetOrReadAsync(string topic, CancellationToken cancellationToken)
    {
        if (_byTopic.TryGetValue(topic, out var known))
        {
            return known;
        }
        var read = await ReadAsync(topic, cancellationToken).ConfigureAwait(false);
        return _byTopic.GetOrAdd(topic, read);
    }

    /// <summary>Reads <paramref name="topic"/>'s overrides from ZooKeeper and keeps them.</summary>
    public async ValueTask<IReadOnlyDictionary<string, string>> RefreshAsync(string topic, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(topic, cancellationToken).ConfigureAwait(false);
        _byTopic[topic] = read;
        return read;
    }

    private async ValueTask<IReadOnlyDictionary<string, string>> ReadAsync(string topic, CancellationToken cancellationToken)
    {
        var path = ZkPaths.ConfigEntity(ConfigTypes.Topics, topic);
        try
        {
            var (data, _) = await zookeeper.Client.GetDataAsync(path, null, cancellationToken).ConfigureAwait(false);
            var parsed = EntityConfigZnode.Decode(data);
            if (parsed.IsValid)
            {
                return parsed.Value!;
            }
            logger.LogError("Malformed znode {Path}: {Error}; the topic keeps the broker's defaults", path, parsed.Error);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
        }
        return None;
    }
}
