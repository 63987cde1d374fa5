using System.Globalization;
using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>A live broker as registered in ZooKeeper; <see cref="BrokerEpoch"/> is its node's czxid (larger after a bounce).</summary>
public sealed record RegisteredBroker(BrokerRegistration Registration, long BrokerEpoch);

public sealed partial class ZooKeeperClusterStore
{
    // The session that created our registration, to recognise our own node after a session change
    // (ZOOKEEPER-2985: an expired session's ephemeral can outlive it briefly).
    private long _registrationSessionId;

    /// <summary>
    /// Registers this broker as Kafka does: multi [create /brokers/ids/&lt;id&gt; ephemeral and empty, setData at version 0],
    /// and returns the broker epoch (the node's czxid). A node held by another live session throws
    /// <see cref="BrokerIdInUseException"/>; a node left by this broker's previous session is replaced.
    /// </summary>
    public async Task<long> RegisterBrokerAsync(BrokerRegistration broker, CancellationToken cancellationToken = default)
    {
        var path = ZkPaths.Broker(broker.BrokerId);
        var data = BrokerRegistrationZnode.Encode(broker, time.GetUtcNow().ToUnixTimeMilliseconds());
        while (true)
        {
            var results = await zk.MultiAsync(
                [ZkOp.Create(path, ReadOnlyMemory<byte>.Empty, CreateMode.Ephemeral), ZkOp.SetData(path, data, 0)],
                cancellationToken).ConfigureAwait(false);
            var (error, _) = FirstError(results);
            if (error == ZkErrorCode.Ok)
            {
                _registrationSessionId = zk.SessionId;
                var epoch = results[1].Stat!.Czxid;
                logger.LogInformation("Registered broker {BrokerId} at {Path} with {Endpoints}, broker epoch (czxid) {Epoch}",
                    broker.BrokerId, path, string.Join(",", broker.Endpoints.Select(e => e.ConnectionString)), epoch);
                return epoch;
            }
            if (error != ZkErrorCode.NodeExists)
            {
                throw new ZooKeeperException(error, path);
            }
            ZkStat? stat;
            try
            {
                (_, stat) = await zk.GetDataAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
            {
                continue; // the other owner just went away
            }
            if (stat.EphemeralOwner == zk.SessionId)
            {
                _registrationSessionId = zk.SessionId;
                return stat.Czxid;
            }
            if (stat.EphemeralOwner != 0 && stat.EphemeralOwner == _registrationSessionId)
            {
                logger.LogInformation("Replacing {Path} left by this broker's previous session 0x{Session:x}", path, stat.EphemeralOwner);
                await DeleteIgnoringNoNodeAsync(path, cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw new BrokerIdInUseException(broker.BrokerId, stat.EphemeralOwner);
        }
    }

    /// <summary>The ids registered under /brokers/ids, arming <paramref name="watcher"/> on the list.</summary>
    public async Task<IReadOnlyList<int>> GetBrokerIdsAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var children = await GetChildrenOrEmptyAsync(ZkPaths.BrokerIds, watcher, cancellationToken).ConfigureAwait(false);
        var ids = new List<int>(children.Count);
        foreach (var child in children)
        {
            if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                ids.Add(id);
            }
            else
            {
                LogMalformed($"{ZkPaths.BrokerIds}/{child}", "not a broker id");
            }
        }
        ids.Sort();
        return ids;
    }

    /// <summary>Every registered broker, read at once; malformed registrations are logged and left out.</summary>
    public async Task<IReadOnlyList<RegisteredBroker>> GetBrokersAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var ids = await GetBrokerIdsAsync(watcher, cancellationToken).ConfigureAwait(false);
        var nodes = await GetDataBatchAsync(ids.Select(ZkPaths.Broker), cancellationToken).ConfigureAwait(false);
        var brokers = new List<RegisteredBroker>(nodes.Count);
        foreach (var (path, data, stat) in nodes)
        {
            var id = int.Parse(path.AsSpan(ZkPaths.BrokerIds.Length + 1), CultureInfo.InvariantCulture);
            var parsed = BrokerRegistrationZnode.Decode(id, data);
            if (parsed.IsValid)
            {
                brokers.Add(new RegisteredBroker(parsed.Value!, stat.Czxid));
            }
            else
            {
                LogMalformed(path, parsed.Error);
            }
        }
        return brokers;
    }

    private async Task DeleteIgnoringNoNodeAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await zk.DeleteAsync(path, -1, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
        }
    }
}
