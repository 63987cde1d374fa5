using Gregor.ZooKeeper;

namespace Gregor.Broker.Cluster.ZooKeeper;

public sealed partial class ZooKeeperClusterStore
{
    /// <summary>Ops per fenced multi of a batch: some 200 B each for partition states, so a request stays far under jute.maxbuffer (1 MB).</summary>
    internal const int WriteBatchSize = 500;

    /// <summary>Bytes of paths and data per fenced multi of a batch (long topic names make fewer ops per multi).</summary>
    private const int WriteBatchBytes = 256 * 1024;

    /// <summary>
    /// Runs independent <paramref name="ops"/> as fenced multis of up to <see cref="WriteBatchSize"/> ops, all issued
    /// at once (the client bounds them), each checking /controller_epoch first (<see cref="FencedMultiAsync"/>).
    /// The ops are not one transaction: each gets its own outcome, in order. A multi that fails names the op that
    /// failed (the others carry Ok or RuntimeInconsistency and were not applied): that op gets its error and the rest
    /// are written again without it, until a multi succeeds or none is left. Throws
    /// <see cref="ControllerMovedException"/> when the fence fails (what was written before stays written, as with
    /// single writes).
    /// </summary>
    public async Task<ZkOpResult[]> FencedBatchAsync(ControllerEpoch fence, IReadOnlyList<ZkOp> ops, CancellationToken cancellationToken = default)
    {
        var results = new ZkOpResult[ops.Count];
        var batches = new List<Task>();
        var batch = new List<int>();
        var bytes = 0;
        for (var i = 0; i < ops.Count; i++)
        {
            var size = ops[i].RequestSize;
            if (batch.Count > 0 && (batch.Count == WriteBatchSize || bytes + size > WriteBatchBytes))
            {
                batches.Add(WriteBatchAsync(fence, ops, batch, results, cancellationToken));
                batch = [];
                bytes = 0;
            }
            batch.Add(i);
            bytes += size;
        }
        if (batch.Count > 0)
        {
            batches.Add(WriteBatchAsync(fence, ops, batch, results, cancellationToken));
        }
        await Task.WhenAll(batches).ConfigureAwait(false);
        return results;
    }

    private async Task WriteBatchAsync(ControllerEpoch fence, IReadOnlyList<ZkOp> ops, List<int> batch, ZkOpResult[] results, CancellationToken cancellationToken)
    {
        while (batch.Count > 0)
        {
            var written = await FencedMultiAsync(fence, batch.ConvertAll(i => ops[i]), cancellationToken).ConfigureAwait(false);
            var (error, failed) = FirstError(written);
            if (error == ZkErrorCode.Ok)
            {
                for (var j = 0; j < batch.Count; j++)
                {
                    results[batch[j]] = written[j];
                }
                return;
            }
            results[batch[failed]] = written[failed];
            batch.RemoveAt(failed);
        }
    }

}
