using Gregor.Storage;
using Gregor.ZooKeeper;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The outcome of one partition state write: the state as written (its <see cref="LeaderAndIsr.PartitionEpoch"/> the
/// node's new version), or the ZooKeeper error — NodeExists on create, BadVersion on update when the leader changed
/// the ISR in between (re-read and retry, as Kafka's controller does).
/// </summary>
public sealed record PartitionStateWrite(TopicPartition Partition, LeaderAndIsr? Written, ZkErrorCode Error);

public sealed partial class ZooKeeperClusterStore
{
    /// <summary>The states of <paramref name="partitions"/>, read at once. Missing ones are left out; malformed ones are logged and left out.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, PartitionStateInfo>> GetPartitionStatesAsync(
        IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        var byPath = partitions.ToDictionary(p => ZkPaths.PartitionState(p.Topic, p.Partition));
        var nodes = await GetDataBatchAsync(byPath.Keys, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<TopicPartition, PartitionStateInfo>(nodes.Count);
        foreach (var (path, data, stat) in nodes)
        {
            var parsed = PartitionStateZnode.Decode(data, stat.Version);
            if (parsed.IsValid)
            {
                result[byPath[path]] = parsed.Value!;
            }
            else
            {
                LogMalformed(path, parsed.Error);
            }
        }
        return result;
    }

    /// <summary>
    /// Creates the state nodes of new partitions (and their parents /partitions and /partitions/&lt;p&gt;), every
    /// create fenced by the controller epoch, all at once.
    /// </summary>
    public async Task<IReadOnlyList<PartitionStateWrite>> CreatePartitionStatesAsync(
        ControllerEpoch fence, IReadOnlyList<(TopicPartition Partition, LeaderAndIsr State)> states, CancellationToken cancellationToken = default)
    {
        await FencedCreateAllAsync(fence, states.Select(s => ZkPaths.TopicPartitions(s.Partition.Topic)).Distinct(), cancellationToken).ConfigureAwait(false);
        await FencedCreateAllAsync(fence, states.Select(s => ZkPaths.TopicPartition(s.Partition.Topic, s.Partition.Partition)), cancellationToken)
            .ConfigureAwait(false);
        var writes = states.Select(async s =>
        {
            var path = ZkPaths.PartitionState(s.Partition.Topic, s.Partition.Partition);
            var results = await FencedMultiAsync(fence, [ZkOp.Create(path, PartitionStateZnode.Encode(s.State, fence.Epoch))], cancellationToken)
                .ConfigureAwait(false);
            return results[0].Error == ZkErrorCode.Ok
                ? new PartitionStateWrite(s.Partition, s.State with { PartitionEpoch = 0 }, ZkErrorCode.Ok)
                : new PartitionStateWrite(s.Partition, null, results[0].Error);
        });
        return await Task.WhenAll(writes).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes new leader/ISR states, each conditional on the node still being at the state's
    /// <see cref="LeaderAndIsr.PartitionEpoch"/> and fenced by the controller epoch, all at once.
    /// </summary>
    public async Task<IReadOnlyList<PartitionStateWrite>> UpdatePartitionStatesAsync(
        ControllerEpoch fence, IReadOnlyList<(TopicPartition Partition, LeaderAndIsr State)> states, CancellationToken cancellationToken = default)
    {
        var writes = states.Select(async s =>
        {
            var path = ZkPaths.PartitionState(s.Partition.Topic, s.Partition.Partition);
            var op = ZkOp.SetData(path, PartitionStateZnode.Encode(s.State, fence.Epoch), s.State.PartitionEpoch);
            var results = await FencedMultiAsync(fence, [op], cancellationToken).ConfigureAwait(false);
            return results[0].Error == ZkErrorCode.Ok
                ? new PartitionStateWrite(s.Partition, s.State with { PartitionEpoch = results[0].Stat!.Version }, ZkErrorCode.Ok)
                : new PartitionStateWrite(s.Partition, null, results[0].Error);
        });
        return await Task.WhenAll(writes).ConfigureAwait(false);
    }

    // Fenced creates of empty persistent nodes, all at once; nodes that exist already are fine.
    private async Task FencedCreateAllAsync(ControllerEpoch fence, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        await Task.WhenAll(paths.Select(async path =>
        {
            var results = await FencedMultiAsync(fence, [ZkOp.Create(path, ReadOnlyMemory<byte>.Empty)], cancellationToken).ConfigureAwait(false);
            if (results[0].Error is not (ZkErrorCode.Ok or ZkErrorCode.NodeExists))
            {
                throw new ZooKeeperException(results[0].Error, path);
            }
        })).ConfigureAwait(false);
    }
}
