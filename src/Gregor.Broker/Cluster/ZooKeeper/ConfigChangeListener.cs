using System.Globalization;
using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// Follows /config/changes as Kafka's ZkNodeChangeNotificationListener and DynamicConfigManager:
/// each new config_change_&lt;seq&gt; notification names an entity ("topics/&lt;t&gt;"); its config
/// is read again and handed on. Notifications present at start are skipped (the configs they
/// announce are read fresh anyway); a malformed one is logged with its path and skipped. Watches
/// are re-armed by each read, and by <see cref="StartAsync"/> after a new session.
/// </summary>
public sealed class ConfigChangeListener(ZooKeeperSession zookeeper, TopicConfigCache topics, Action<string, IReadOnlyDictionary<string, string>> onTopicConfig, ILogger<ConfigChangeListener> logger)
{
    private const string Prefix = "config_change_";
    private long _lastSeen = -1;
    private readonly SemaphoreSlim _processing = new(1, 1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (children, _) = await zookeeper.Client.GetChildrenAsync(ZkPaths.ConfigChanges, OnChange, cancellationToken).ConfigureAwait(false);
        if (_lastSeen < 0)
        {
            _lastSeen = children.Select(Sequence).DefaultIfEmpty(-1).Max();
            return;
        }
        await ProcessAsync(children, cancellationToken).ConfigureAwait(false);
    }

    private void OnChange(WatchedEvent _) => Task.Run(async () =>
    {
        try
        {
            var (children, _) = await zookeeper.Client.GetChildrenAsync(ZkPaths.ConfigChanges, OnChange, CancellationToken.None).ConfigureAwait(false);
            await ProcessAsync(children, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not read config change notifications: {Error}", e.Message);
        }
    });

    private async Task ProcessAsync(IReadOnlyList<string> children, CancellationToken cancellationToken)
    {
        await _processing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (child, sequence) in children.Select(c => (c, Sequence(c))).Where(c => c.Item2 > _lastSeen).OrderBy(c => c.Item2))
            {
                var path = $"{ZkPaths.ConfigChanges}/{child}";
                try
                {
                    var (data, _) = await zookeeper.Client.GetDataAsync(path, null, cancellationToken).ConfigureAwait(false);
                    var entity = ConfigChangeZnode.Decode(data);
                    if (!entity.IsValid)
                    {
                        logger.LogError("Malformed znode {Path}: {Error}; skipped", path, entity.Error);
                    }
                    else if (entity.Value!.EntityType == ConfigTypes.Topics)
                    {
                        var overrides = await topics.RefreshAsync(entity.Value.EntityName, cancellationToken).ConfigureAwait(false);
                        logger.LogInformation("Config of topic {Topic} changed", entity.Value.EntityName);
                        onTopicConfig(entity.Value.EntityName, overrides);
                    }
                }
                catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
                {
                    // Purged meanwhile.
                }
                _lastSeen = sequence;
            }
        }
        finally
        {
            _processing.Release();
        }
    }

    private static long Sequence(string child) =>
        child.StartsWith(Prefix, StringComparison.Ordinal) && long.TryParse(child.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
}
