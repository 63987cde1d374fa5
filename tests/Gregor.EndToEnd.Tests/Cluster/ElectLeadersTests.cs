using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;
using static Gregor.EndToEnd.Tests.Cluster.ReplicatedTopicProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// Leader elections with replication factor 3: a killed leader is replaced by the next live ISR
/// replica in assignment order under a new leader epoch, and leaves the ISR; when it returns and
/// has caught up, a preferred election through Confluent.Kafka's admin client gives it the leadership back (and a
/// second one is not needed). With auto.leader.rebalance.enable the controller does that itself.
/// </summary>
public sealed class ElectLeadersTests
{
    [Fact]
    public async Task A_bounced_preferred_leader_leads_again_after_a_preferred_election()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var preferred = new[] { 1, 2, 3 }.First(id => id != controller);
        var next = new[] { 1, 2, 3 }.First(id => id != preferred);
        var last = 6 - preferred - next;
        const string topic = "elect-preferred";
        await CreateReplicatedTopicAsync(cluster, topic, $"{preferred}:{next}:{last}");
        var initial = await WaitForStateAsync(zk, topic, 0, s => s.Leader == preferred);

        await cluster.Brokers[preferred].KillAsync();
        var failedOver = await WaitForStateAsync(zk, topic, 0, s => s.Leader == next);
        Assert.Equal(initial.LeaderEpoch + 1, failedOver.LeaderEpoch);
        Assert.Equal(new[] { next, last }, failedOver.Isr.Order());
        var through = cluster.Brokers[controller].BootstrapServers;
        await WaitForMetadataAsync(through, topic, t => t.Partitions[0].Leader == next);

        await cluster.StartBrokerAsync(preferred);
        await WaitForBrokerNodeAsync(zk, preferred, present: true);
        // The returning replica catches up and its leader puts it back in the ISR.
        await WaitForStateAsync(zk, topic, 0, s => s.Isr.Contains(preferred));

        using var admin = Admin.AdminClients.Create(through);
        var partition = new TopicPartition(topic, 0);
        var results = await admin.ElectLeadersAsync(ElectionType.Preferred, [partition], new ElectLeadersOptions { RequestTimeout = TimeSpan.FromSeconds(60) });
        Assert.Equal(ErrorCode.NoError, Assert.Single(results.TopicPartitions).Error.Code);
        var elected = await WaitForStateAsync(zk, topic, 0, s => s.Leader == preferred);
        Assert.Equal(failedOver.LeaderEpoch + 1, elected.LeaderEpoch);
        await WaitForIsrEverywhereAsync(cluster, topic, 0, preferred, 1, 2, 3);

        var again = await Assert.ThrowsAsync<ElectLeadersException>(() =>
            admin.ElectLeadersAsync(ElectionType.Preferred, [partition], new ElectLeadersOptions { RequestTimeout = TimeSpan.FromSeconds(60) }));
        Assert.Equal(ErrorCode.ElectionNotNeeded, Assert.Single(again.Results.TopicPartitions).Error.Code);
    }

    [Fact]
    public async Task The_controller_moves_leadership_back_to_preferred_replicas_by_itself()
    {
        await using var cluster = await KafkaCluster.StartAsync(3,
            ["auto.leader.rebalance.enable=true", "leader.imbalance.check.interval.seconds=1", "leader.imbalance.per.broker.percentage=0"]);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var preferred = new[] { 1, 2, 3 }.First(id => id != controller);
        var next = new[] { 1, 2, 3 }.First(id => id != preferred);
        var last = 6 - preferred - next;
        const string topic = "elect-auto";
        await CreateReplicatedTopicAsync(cluster, topic, $"{preferred}:{next}:{last}");
        await WaitForStateAsync(zk, topic, 0, s => s.Leader == preferred);

        await cluster.Brokers[preferred].KillAsync();
        await WaitForStateAsync(zk, topic, 0, s => s.Leader == next);
        await cluster.StartBrokerAsync(preferred);
        await WaitForBrokerNodeAsync(zk, preferred, present: true);
        // The returning replica catches up and its leader puts it back in the ISR.
        await WaitForStateAsync(zk, topic, 0, s => s.Isr.Contains(preferred));

        await WaitForStateAsync(zk, topic, 0, s => s.Leader == preferred);
        await WaitForMetadataAsync(cluster.Brokers[controller].BootstrapServers, topic, t => t.Partitions[0].Leader == preferred);
    }
}
