using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

public sealed partial class ZooKeeperClusterStore
{
    /// <summary>The broker in /controller, or null when there is none (or it is malformed, which is logged).</summary>
    public async Task<int?> GetControllerIdAsync(Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        byte[] data;
        try
        {
            (data, _) = await zk.GetDataAsync(ZkPaths.Controller, watcher, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            if (watcher is not null)
            {
                // Watch for the node's creation instead; it may have appeared in between.
                return await zk.ExistsAsync(ZkPaths.Controller, watcher, cancellationToken).ConfigureAwait(false) is null
                    ? null
                    : await GetControllerIdAsync(null, cancellationToken).ConfigureAwait(false);
            }
            return null;
        }
        var parsed = ControllerZnode.Decode(data);
        if (!parsed.IsValid)
        {
            LogMalformed(ZkPaths.Controller, parsed.Error);
            return null;
        }
        return parsed.Value!.BrokerId;
    }

    /// <summary>The epoch in /controller_epoch and its zk version, or null when there is no such node yet.</summary>
    public async Task<ControllerEpoch?> GetControllerEpochAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var (data, stat) = await zk.GetDataAsync(ZkPaths.ControllerEpoch, cancellationToken: cancellationToken).ConfigureAwait(false);
            var epoch = ControllerEpochZnode.Decode(data)
                ?? throw new InvalidDataException($"Malformed znode {ZkPaths.ControllerEpoch}: not a decimal epoch");
            return new ControllerEpoch(epoch, stat.Version);
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            return null;
        }
    }

    /// <summary>
    /// Tries to become controller as Kafka does: multi [create /controller ephemeral, setData /controller_epoch to
    /// epoch + 1 at the version just read] (the first controller creates /controller_epoch with 0 first). Returns the
    /// won epoch and its zk version, or null when another broker is controller or won the race.
    /// </summary>
    public async Task<ControllerEpoch?> TryElectControllerAsync(int brokerId, CancellationToken cancellationToken = default)
    {
        var current = await GetControllerEpochAsync(cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            try
            {
                var (_, stat) = await zk.Create2Async(ZkPaths.ControllerEpoch, ControllerEpochZnode.Encode(ControllerEpochZnode.InitialEpoch),
                    CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
                current = new ControllerEpoch(ControllerEpochZnode.InitialEpoch, stat.Version);
            }
            catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NodeExists)
            {
                current = await GetControllerEpochAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"{ZkPaths.ControllerEpoch} existed but went away while reading it");
            }
        }
        var newEpoch = current.Epoch + 1;
        var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds();
        var results = await zk.MultiAsync(
            [
                ZkOp.Create(ZkPaths.Controller, ControllerZnode.Encode(brokerId, timestamp), CreateMode.Ephemeral),
                ZkOp.SetData(ZkPaths.ControllerEpoch, ControllerEpochZnode.Encode(newEpoch), current.ZkVersion),
            ],
            cancellationToken).ConfigureAwait(false);
        var (error, _) = FirstError(results);
        switch (error)
        {
            case ZkErrorCode.Ok:
                var won = new ControllerEpoch(newEpoch, results[1].Stat!.Version);
                logger.LogInformation("Broker {BrokerId} is controller with epoch {Epoch} ({Path} version {Version})",
                    brokerId, won.Epoch, ZkPaths.ControllerEpoch, won.ZkVersion);
                return won;
            case ZkErrorCode.NodeExists or ZkErrorCode.BadVersion:
                // The multi may have succeeded on a request retried after a connection loss: /controller then names
                // this broker and the epoch is the one written.
                if (await GetControllerIdAsync(null, cancellationToken).ConfigureAwait(false) == brokerId
                    && await GetControllerEpochAsync(cancellationToken).ConfigureAwait(false) is { } after && after.Epoch == newEpoch)
                {
                    return after;
                }
                return null;
            default:
                throw new ZooKeeperException(error, ZkPaths.Controller);
        }
    }

    /// <summary>Deletes /controller when this broker holds it (a controller resigning on shutdown), fenced by its epoch.</summary>
    public async Task ResignControllerAsync(ControllerEpoch fence, CancellationToken cancellationToken = default)
    {
        var results = await FencedMultiAsync(fence, [ZkOp.Delete(ZkPaths.Controller)], cancellationToken).ConfigureAwait(false);
        if (results[0].Error is not (ZkErrorCode.Ok or ZkErrorCode.NoNode))
        {
            throw new ZooKeeperException(results[0].Error, ZkPaths.Controller);
        }
    }
}
