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
    /// Creates the state nodes of new partitions and their parents /partitions and /partitions/&lt;p&gt; (existing
    /// parents are fine), every create fenced by the controller epoch, in batches (<see cref="FencedBatchAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<PartitionStateWrite>> CreatePartitionStatesAsync(
        ControllerEpoch fence, IReadOnlyList<(TopicPartition Partition, LeaderAndIsr State)> states, CancellationToken cancellationToken = default)
    {
        await FencedCreateAllAsync(fence, states.Select(s => ZkPaths.TopicPartitions(s.Partition.Topic)).Distinct().ToList(), cancellationToken).ConfigureAwait(false);
        // Per partition its parent then its state: a parent that exists fails only its own op.
        var ops = new List<ZkOp>(states.Count * 2);
        foreach (var (partition, state) in states)
        {
            ops.Add(ZkOp.Create(ZkPaths.TopicPartition(partition.Topic, partition.Partition), ReadOnlyMemory<byte>.Empty));
            ops.Add(ZkOp.Create(ZkPaths.PartitionState(partition.Topic, partition.Partition), PartitionStateZnode.Encode(state, fence.Epoch)));
        }
        var results = await FencedBatchAsync(fence, ops, cancellationToken).ConfigureAwait(false);
        var writes = new PartitionStateWrite[states.Count];
        for (var i = 0; i < writes.Length; i++)
        {
            var (partition, state) = states[i];
            var parent = results[2 * i].Error;
            if (parent is not (ZkErrorCode.Ok or ZkErrorCode.NodeExists))
            {
                throw new ZooKeeperException(parent, ops[2 * i].Path);
            }
            var error = results[2 * i + 1].Error;
            writes[i] = error == ZkErrorCode.Ok
                ? new PartitionStateWrite(partition, state with { PartitionEpoch = 0 }, ZkErrorCode.Ok)
                : new PartitionStateWrite(partition, null, error);
        }
        return writes;
    }

    /// <summary>
    /// Writes new leader/ISR states, each conditional on the node still being at the state's
    /// <see cref="LeaderAndIsr.PartitionEpoch"/> and fenced by the controller epoch, in batches
    /// (<see cref="FencedBatchAsync"/>: a state changed meanwhile fails alone).
    /// </summary>
    public async Task<IReadOnlyList<PartitionStateWrite>> UpdatePartitionStatesAsync(
        ControllerEpoch fence, IReadOnlyList<(TopicPartition Partition, LeaderAndIsr State)> states, CancellationToken cancellationToken = default)
    {
        var ops = new ZkOp[states.Count];
        for (var i = 0; i < ops.Length; i++)
        {
            var (partition, state) = states[i];
            ops[i] = ZkOp.SetData(ZkPaths.PartitionState(partition.Topic, partition.Partition), PartitionStateZnode.Encode(state, fence.Epoch), state.PartitionEpoch);
        }
        var results = await FencedBatchAsync(fence, ops, cancellationToken).ConfigureAwait(false);
        var writes = new PartitionStateWrite[states.Count];
        for (var i = 0; i < writes.Length; i++)
        {
            var (partition, state) = states[i];
            writes[i] = results[i].Error == ZkErrorCode.Ok
                ? new PartitionStateWrite(partition, state with { PartitionEpoch = results[i].Stat!.Version }, ZkErrorCode.Ok)
                : new PartitionStateWrite(partition, null, results[i].Error);
        }
        return writes;
    }

    // Fenced creates of empty persistent nodes in batches; nodes that exist already are fine.
    private async Task FencedCreateAllAsync(ControllerEpoch fence, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var results = await FencedBatchAsync(fence, paths.Select(p => ZkOp.Create(p, ReadOnlyMemory<byte>.Empty)).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Error is not (ZkErrorCode.Ok or ZkErrorCode.NodeExists))
            {
                throw new ZooKeeperException(results[i].Error, paths[i]);
            }
        }
    }
}
