using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The cluster's durable state in ZooKeeper, in Kafka 3.x's layout and JSON (see <see cref="ZkPaths"/>), so Kafka's
/// own tools read and write it too. The chroot is the client's business. Reads of many nodes are issued at once and
/// the client bounds them by its in-flight limit (serial per-partition round trips made Kafka's controller failover
/// take minutes). A malformed node is logged with its path and skipped. Controller writes go through
/// <see cref="FencedMultiAsync"/>: each is a multi whose first op checks /controller_epoch's version.
/// </summary>
public sealed partial class ZooKeeperClusterStore(ZooKeeperClient zk, ILogger logger, TimeProvider time)
{
    /// <summary>Nodes per multiRead: a few hundred small nodes make a reply of some 100 KB.</summary>
    internal const int ReadBatchSize = 500;

    // 1 once the server answered multiRead with Unimplemented.
    private int _multiReadUnsupported;

    public ZooKeeperClient Client => zk;

    /// <summary>Creates the persistent paths a Kafka broker makes sure of at start-up (empty nodes; existing ones are left alone).</summary>
    public Task EnsureBasePathsAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(ZkPaths.PersistentPaths.Select(path => zk.EnsurePathAsync(path, cancellationToken)));

    /// <summary>The cluster id in /cluster/id, created from <paramref name="proposedClusterId"/> when there is none yet.</summary>
    public async Task<string> GetOrCreateClusterIdAsync(string proposedClusterId, CancellationToken cancellationToken = default)
    {
        await zk.EnsurePathAsync("/cluster", cancellationToken).ConfigureAwait(false);
        try
        {
            await zk.CreateAsync(ZkPaths.ClusterId, ClusterIdZnode.Encode(proposedClusterId), CreateMode.Persistent, cancellationToken).ConfigureAwait(false);
            return proposedClusterId;
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NodeExists)
        {
            var (data, _) = await zk.GetDataAsync(ZkPaths.ClusterId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return ClusterIdZnode.Decode(data).GetValueOrThrow(ZkPaths.ClusterId);
        }
    }

    /// <summary>
    /// Runs <paramref name="ops"/> as one multi after <c>check(/controller_epoch, fence.ZkVersion)</c> and returns the
    /// results of <paramref name="ops"/> (the check's is dropped). Throws <see cref="ControllerMovedException"/> when
    /// the check fails: the caller is no longer the controller and nothing was written.
    /// </summary>
    public async Task<IReadOnlyList<ZkOpResult>> FencedMultiAsync(ControllerEpoch fence, IReadOnlyList<ZkOp> ops, CancellationToken cancellationToken = default)
    {
        var fenced = new List<ZkOp>(ops.Count + 1) { ZkOp.Check(ZkPaths.ControllerEpoch, fence.ZkVersion) };
        fenced.AddRange(ops);
        var results = await zk.MultiAsync(fenced, cancellationToken).ConfigureAwait(false);
        if (results[0].Error is ZkErrorCode.BadVersion or ZkErrorCode.NoNode)
        {
            throw new ControllerMovedException(
                $"Not controller any more: {ZkPaths.ControllerEpoch} is no longer at version {fence.ZkVersion} (epoch {fence.Epoch}); another broker was elected");
        }
        if (results[0].Error != ZkErrorCode.Ok)
        {
            throw new ZooKeeperException(results[0].Error, ZkPaths.ControllerEpoch);
        }
        return results.Skip(1).ToArray();
    }

    /// <summary>
    /// The error a failed multi failed with: ZooKeeper reports it on the op that failed, Ok on the ops before and
    /// RuntimeInconsistency on those after it. Ok when every op succeeded.
    /// </summary>
    internal static (ZkErrorCode Error, int Index) FirstError(IReadOnlyList<ZkOpResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Error is not (ZkErrorCode.Ok or ZkErrorCode.RuntimeInconsistency))
            {
                return (results[i].Error, i);
            }
        }
        return (ZkErrorCode.Ok, -1);
    }

    /// <summary>
    /// Reads every path at once, <see cref="ReadBatchSize"/> nodes per multiRead request (all of them issued together,
    /// bounded by the client's in-flight limit); a server without multiRead (before 3.6) is read with one getData per
    /// path from then on. A missing node is left out (it went away between listing and reading).
    /// </summary>
    private async Task<List<(string Path, byte[] Data, ZkStat Stat)>> GetDataBatchAsync(IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var all = paths as IReadOnlyList<string> ?? paths.ToList();
        if (all.Count > 1 && Volatile.Read(ref _multiReadUnsupported) == 0)
        {
            try
            {
                return await MultiReadBatchAsync(all, cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException e) when (e.Code == ZkErrorCode.Unimplemented)
            {
                logger.LogWarning("ZooKeeper does not serve multiRead (a server before 3.6): reading one node per request");
                Volatile.Write(ref _multiReadUnsupported, 1);
            }
        }
        var reads = all.Select(async path =>
        {
            try
            {
                var (data, stat) = await zk.GetDataAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
                return (path, data, stat);
            }
            catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
            {
                return (path, (byte[]?)null, (ZkStat?)null);
            }
        }).ToList();
        var results = await Task.WhenAll(reads).ConfigureAwait(false);
        var found = new List<(string, byte[], ZkStat)>(results.Length);
        foreach (var (path, data, stat) in results)
        {
            if (data is not null)
            {
                found.Add((path, data, stat!));
            }
        }
        return found;
    }

    private async Task<List<(string Path, byte[] Data, ZkStat Stat)>> MultiReadBatchAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var chunks = new List<Task<IReadOnlyList<ZkDataResult>>>((paths.Count + ReadBatchSize - 1) / ReadBatchSize);
        var slices = new List<ArraySegment<string>>(chunks.Capacity);
        var array = paths as string[] ?? paths.ToArray();
        for (var start = 0; start < array.Length; start += ReadBatchSize)
        {
            var slice = new ArraySegment<string>(array, start, Math.Min(ReadBatchSize, array.Length - start));
            slices.Add(slice);
            chunks.Add(zk.GetDataManyAsync(slice, cancellationToken));
        }
        var read = await Task.WhenAll(chunks).ConfigureAwait(false);
        var found = new List<(string, byte[], ZkStat)>(array.Length);
        for (var c = 0; c < read.Length; c++)
        {
            for (var i = 0; i < read[c].Count; i++)
            {
                var result = read[c][i];
                if (result.Error == ZkErrorCode.Ok)
                {
                    found.Add((slices[c][i], result.Data!, result.Stat!));
                }
                else if (result.Error != ZkErrorCode.NoNode)
                {
                    throw new ZooKeeperException(result.Error, slices[c][i]);
                }
            }
        }
        return found;
    }

    private async Task<IReadOnlyList<string>> GetChildrenOrEmptyAsync(string path, Action<WatchedEvent>? watcher, CancellationToken cancellationToken)
    {
        try
        {
            var (children, _) = await zk.GetChildrenAsync(path, watcher, cancellationToken).ConfigureAwait(false);
            return children;
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            return [];
        }
    }

    private void LogMalformed(string path, string? error) =>
        logger.LogError("Skipping malformed znode {Path}: {Error}", path, error);
}
