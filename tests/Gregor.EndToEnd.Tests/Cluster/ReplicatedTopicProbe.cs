using System.Text;
using System.Text.Json;
using Gregor.EndToEnd.Tests.Support;
using Gregor.ZooKeeper;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>One partition's state znode: <c>{"leader":..,"leader_epoch":..,"isr":[..],..}</c> and its zk version (the partition epoch).</summary>
internal sealed record StoredPartitionState(int Leader, int LeaderEpoch, IReadOnlyList<int> Isr, int PartitionEpoch)
{
    public override string ToString() => $"leader {Leader}, leader epoch {LeaderEpoch}, ISR [{string.Join(",", Isr)}], partition epoch {PartitionEpoch}";
}

/// <summary>What the replicated-partition tests look at: partition state znodes, broker epochs, ISRs in Metadata.</summary>
internal static class ReplicatedTopicProbe
{
    /// <summary>Creates a topic through ZooKeeper; <paramref name="assignment"/> is Kafka's form, e.g. "1:2:3,2:3:1".</summary>
    public static Task CreateReplicatedTopicAsync(KafkaCluster cluster, string topic, string assignment) =>
        Tools.ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", topic,
            "--replica-assignment", assignment]);

    public static async Task<StoredPartitionState> StateAsync(ZooKeeperClient zk, string topic, int partition)
    {
        var (data, stat) = await zk.GetDataAsync($"/brokers/topics/{topic}/partitions/{partition}/state");
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        return new StoredPartitionState(root.GetProperty("leader").GetInt32(), root.GetProperty("leader_epoch").GetInt32(),
            [.. root.GetProperty("isr").EnumerateArray().Select(e => e.GetInt32())], stat.Version);
    }

    /// <summary>
    /// Waits until the partition's state znode exists (the controller writes it after the topic)
    /// and satisfies <paramref name="accept"/>; returns it.
    /// </summary>
    public static async Task<StoredPartitionState> WaitForStateAsync(ZooKeeperClient zk, string topic, int partition, Func<StoredPartitionState, bool> accept)
    {
        StoredPartitionState? seen = null;
        await WaitUntilAsync(async () =>
            {
                try
                {
                    return accept(seen = await StateAsync(zk, topic, partition));
                }
                catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
                {
                    return false;
                }
            },
            () => Task.FromResult($"{topic}-{partition} state: {seen?.ToString() ?? "not written yet"}"));
        return seen!;
    }

    /// <summary>A registered broker's epoch: the czxid of its /brokers/ids node.</summary>
    public static async Task<long> BrokerEpochAsync(ZooKeeperClient zk, int id) =>
        (await zk.ExistsAsync($"/brokers/ids/{id}"))!.Czxid;

    /// <summary>The topic id in the topic's assignment znode.</summary>
    public static async Task<Gregor.Protocol.Wire.Uuid> TopicIdAsync(ZooKeeperClient zk, string topic)
    {
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString((await zk.GetDataAsync($"/brokers/topics/{topic}")).Data));
        Assert.True(Gregor.Protocol.Wire.Uuid.TryParse(json.RootElement.GetProperty("topic_id").GetString(), out var id));
        return id;
    }

    /// <summary>Waits until every running broker's Metadata shows the partition with <paramref name="leader"/> and exactly <paramref name="isr"/>.</summary>
    public static async Task WaitForIsrEverywhereAsync(KafkaCluster cluster, string topic, int partition, int leader, params int[] isr)
    {
        foreach (var broker in cluster.Brokers.Values.Where(b => !b.HasExited))
        {
            await WaitForMetadataAsync(broker.BootstrapServers, topic, t => t.Partitions.SingleOrDefault(p => p.PartitionId == partition) is { } p
                && p.Leader == leader && p.InSyncReplicas.Order().SequenceEqual(isr.Order()));
        }
    }
}
