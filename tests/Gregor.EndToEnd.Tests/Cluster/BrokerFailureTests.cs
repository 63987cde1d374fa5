using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// kill -9 of a broker that is not the controller: its registration goes with its ZooKeeper
/// session, its partitions are reported LEADER_NOT_AVAILABLE (replication factor 1) while the
/// other partitions keep serving, and after a restart with the same log dir it registers again
/// and serves its partitions with every record acknowledged before.
/// </summary>
public sealed class BrokerFailureTests
{
    [Fact]
    public async Task A_killed_broker_leaves_its_partitions_offline_until_it_returns_with_all_their_records()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await cluster.WaitForRegisteredAsync([1, 2, 3], Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var victim = new[] { 1, 2, 3 }.First(id => id != controller);
        var survivor = new[] { 1, 2, 3 }.First(id => id != controller && id != victim);
        const string topic = "kill9";
        await CreateTopicAsync(cluster, topic, 1, 2, 3);
        var through = cluster.Brokers[survivor].BootstrapServers;
        await WaitForLeadersAsync(through, topic, 3);
        foreach (var p in new[] { 0, 1, 2 })
        {
            await ProduceAsync(through, topic, p, Values($"before-{p}", 20));
        }

        await cluster.Brokers[victim].KillAsync();
        await WaitForBrokerNodeAsync(zk, victim, present: false);

        var offline = victim - 1;
        var metadata = await WaitForMetadataAsync(through, topic, t => t.Partitions.Single(p => p.PartitionId == offline).Leader == -1);
        Assert.Equal(ErrorCode.LeaderNotAvailable, metadata.Partitions.Single(p => p.PartitionId == offline).Error.Code);
        foreach (var p in new[] { 0, 1, 2 }.Where(p => p != offline))
        {
            Assert.Equal(p + 1, metadata.Partitions.Single(m => m.PartitionId == p).Leader);
            await ProduceAsync(through, topic, p, Values($"during-{p}", 10));
            Assert.Equal([.. Values($"before-{p}", 20), .. Values($"during-{p}", 10)], Consume(through, topic, p, 30));
        }

        await cluster.StartBrokerAsync(victim);
        await WaitForBrokerNodeAsync(zk, victim, present: true);
        await WaitForMetadataAsync(through, topic, t => t.Partitions.Single(p => p.PartitionId == offline).Leader == victim);
        Assert.Equal(Values($"before-{offline}", 20), Consume(through, topic, offline, 20));
        await ProduceAsync(through, topic, offline, Values($"after-{offline}", 5));
        Assert.Equal([.. Values($"before-{offline}", 20), .. Values($"after-{offline}", 5)], Consume(cluster.BootstrapServers, topic, offline, 25));
    }
}
