using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

public sealed partial class ZooKeeperClusterStore
{
    /// <summary>An entity's config overrides (/config/&lt;type&gt;/&lt;name&gt;): empty when it has none; a malformed node is logged and read as none.</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetEntityConfigAsync(string entityType, string entityName,
        CancellationToken cancellationToken = default)
    {
        var path = ZkPaths.ConfigEntity(entityType, entityName);
        var nodes = await GetDataBatchAsync([path], cancellationToken).ConfigureAwait(false);
        if (nodes.Count == 0)
        {
            return new Dictionary<string, string>();
        }
        var parsed = EntityConfigZnode.Decode(nodes[0].Data);
        if (!parsed.IsValid)
        {
            LogMalformed(path, parsed.Error);
            return new Dictionary<string, string>();
        }
        return parsed.Value!;
    }

    /// <summary>
    /// Replaces an entity's config overrides and then announces the change with a sequential
    /// /config/changes/config_change_ node (version 2, "type/name"), which every broker watches.
    /// </summary>
    public async Task SetEntityConfigAsync(string entityType, string entityName, IReadOnlyDictionary<string, string> config,
        CancellationToken cancellationToken = default)
    {
        var path = ZkPaths.ConfigEntity(entityType, entityName);
        var data = EntityConfigZnode.Encode(config);
        try
        {
            await zk.SetDataAsync(path, data, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            await zk.EnsurePathAsync(ZkPaths.ConfigEntityType(entityType), cancellationToken).ConfigureAwait(false);
            try
            {
                await zk.CreateAsync(path, data, CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException again) when (again.Code == ZkErrorCode.NodeExists)
            {
                await zk.SetDataAsync(path, data, -1, cancellationToken).ConfigureAwait(false);
            }
        }
        await zk.CreateAsync(ZkPaths.ConfigChangePrefix, ConfigChangeZnode.Encode(new ConfigEntity(entityType, entityName)),
            CreateMode.PersistentSequential, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Config of {EntityType} {EntityName} changed", entityType, entityName);
    }

    /// <summary>The config change notifications (names like config_change_0000000007) in sequence order, arming <paramref name="watcher"/>.</summary>
    public async Task<IReadOnlyList<string>> GetConfigChangesAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var children = await GetChildrenOrEmptyAsync(ZkPaths.ConfigChanges, watcher, cancellationToken).ConfigureAwait(false);
        // Sequence suffixes are zero-padded to ten digits, so ordinal order is sequence order.
        return children.Where(c => c.StartsWith("config_change_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The entity a notification names; null when it is gone or malformed (logged).</summary>
    public async Task<ConfigEntity?> GetConfigChangeAsync(string notification, CancellationToken cancellationToken = default)
    {
        var path = $"{ZkPaths.ConfigChanges}/{notification}";
        var nodes = await GetDataBatchAsync([path], cancellationToken).ConfigureAwait(false);
        if (nodes.Count == 0)
        {
            return null;
        }
        var parsed = ConfigChangeZnode.Decode(nodes[0].Data);
        if (!parsed.IsValid)
        {
            LogMalformed(path, parsed.Error);
        }
        return parsed.Value;
    }
}
