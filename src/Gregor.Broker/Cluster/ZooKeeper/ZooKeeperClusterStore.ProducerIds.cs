using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

public sealed partial class ZooKeeperClusterStore
{
    /// <summary>
    /// Takes the next block of <see cref="ProducerIdBlock.DefaultSize"/> producer ids for <paramref name="brokerId"/>: reads
    /// /latest_producer_id_block and writes the following block conditional on the version read, retrying when
    /// another broker won the race — so no two brokers ever get overlapping blocks. An empty node means no block
    /// was handed out yet; the first block starts at 0.
    /// </summary>
    public async Task<ProducerIdBlock> AllocateProducerIdBlockAsync(int brokerId, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            byte[] data;
            ZkStat stat;
            try
            {
                (data, stat) = await zk.GetDataAsync(ZkPaths.LatestProducerIdBlock, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
            {
                await zk.EnsurePathAsync(ZkPaths.LatestProducerIdBlock, cancellationToken).ConfigureAwait(false);
                continue;
            }
            long first = 0;
            if (data.Length > 0)
            {
                var current = ProducerIdBlockZnode.Decode(data).GetValueOrThrow(ZkPaths.LatestProducerIdBlock);
                if (current.LastProducerId > long.MaxValue - ProducerIdBlock.DefaultSize)
                {
                    throw new InvalidOperationException($"Producer ids are exhausted: the last block ends at {current.LastProducerId}");
                }
                first = current.NextBlockFirstId;
            }
            var block = new ProducerIdBlock(brokerId, first, ProducerIdBlock.DefaultSize);
            try
            {
                await zk.SetDataAsync(ZkPaths.LatestProducerIdBlock, ProducerIdBlockZnode.Encode(block), stat.Version, cancellationToken)
                    .ConfigureAwait(false);
                logger.LogInformation("Broker {BrokerId} took producer id block [{First}, {Last}]", brokerId, block.FirstProducerId, block.LastProducerId);
                return block;
            }
            catch (ZooKeeperException e) when (e.Code == ZkErrorCode.BadVersion)
            {
                // Another broker took the block just read; read again.
            }
        }
    }
}
