using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;
using static Gregor.EndToEnd.Tests.Cluster.ReplicaProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// Replication factor > 1 on three broker processes: followers fetch every record the leader
/// acknowledged (acks=1) and hold the same bytes; a follower that was down catches up; a
/// follower made leader stops fetching and serves produce; a deleted topic leaves every
/// replica's log dir. Each test waits for the replicas with generous deadlines, then compares the segment
/// files of the stopped brokers byte for byte.
/// </summary>
public sealed class ReplicationTests
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Followers_hold_every_record_catch_up_after_a_restart_and_a_follower_made_leader_serves_produce()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var leader = new[] { 1, 2, 3 }.First(id => id != controller);
        var follower = new[] { 1, 2, 3 }.First(id => id != controller && id != leader);
        const string topic = "replicated";
        await CreateReplicatedTopicAsync(cluster, topic, leader, follower, controller);
        await WaitForMetadataAsync(cluster.Brokers[controller].BootstrapServers, topic, t => t.Partitions.Single().Leader == leader);

        await ProduceAsync(cluster.BootstrapServers, topic, 0, Values("first", 30));
        await WaitInSyncAsync(cluster, topic, leader, follower, controller);

        // A follower that was down fetches what it missed.
        await cluster.Brokers[follower].KillAsync();
        await WaitForBrokerNodeAsync(zk, follower, present: false);
        await ProduceAsync(cluster.Brokers[leader].BootstrapServers, topic, 0, Values("while-down", 20));
        await cluster.StartBrokerAsync(follower);
        await WaitForBrokerNodeAsync(zk, follower, present: true);
        await WaitInSyncAsync(cluster, topic, leader, follower, controller);

        // StopReplica with delete removes every replica's log.
        const string deleted = "replicated-deleted";
        await CreateReplicatedTopicAsync(cluster, deleted, leader, follower, controller);
        await WaitForMetadataAsync(cluster.Brokers[controller].BootstrapServers, deleted, t => t.Partitions.Single().Leader == leader);
        await ProduceAsync(cluster.Brokers[leader].BootstrapServers, deleted, 0, Values("gone", 5));
        await WaitInSyncAsync(cluster, deleted, leader, follower, controller);
        Assert.All(cluster.Brokers.Values, b => Assert.Single(PartitionDirectories(b.LogDir, deleted)));
        using (var admin = AdminClients.Create(cluster.Brokers[controller].BootstrapServers))
        {
            await admin.DeleteTopicsAsync([deleted]);
        }
        await WaitUntilAsync(() => Task.FromResult(cluster.Brokers.Values.All(b => PartitionDirectories(b.LogDir, deleted).Length == 0)),
            () => Task.FromResult("left: " + string.Join(", ", cluster.Brokers.Values.SelectMany(b => PartitionDirectories(b.LogDir, deleted)))));

        // The leader goes: a follower leads, stops fetching from it and takes produce.
        var stoppedBefore = cluster.Brokers.ToDictionary(b => b.Key, b => StoppedFollowing(b.Value, leader));
        await cluster.Brokers[leader].KillAsync();
        await WaitForBrokerNodeAsync(zk, leader, present: false);
        var through = cluster.Brokers[controller].BootstrapServers;
        var metadata = await WaitForMetadataAsync(through, topic, t => t.Partitions.Single().Leader is var l && l >= 0 && l != leader);
        var successor = metadata.Partitions.Single().Leader;
        var other = successor == follower ? controller : follower;
        await WaitUntilAsync(() => Task.FromResult(StoppedFollowing(cluster.Brokers[successor], leader) > stoppedBefore[successor]),
            () => Task.FromResult($"broker {successor} leads {topic} but its fetcher never stopped following broker {leader}"));
        await ProduceAsync(cluster.Brokers[successor].BootstrapServers, topic, 0, Values("after-failover", 10));
        Assert.Equal([.. Values("first", 30), .. Values("while-down", 20), .. Values("after-failover", 10)],
            Consume(cluster.Brokers[successor].BootstrapServers, topic, 0, 60));

        // The old leader comes back as a follower of the new one.
        await cluster.StartBrokerAsync(leader);
        await WaitForBrokerNodeAsync(zk, leader, present: true);
        await WaitInSyncAsync(cluster, topic, successor, other, leader);

        await StopAllAsync(cluster);
        var expected = LogBytes(cluster.Brokers[successor].LogDir, topic);
        Assert.Equal(expected, LogBytes(cluster.Brokers[other].LogDir, topic));
        Assert.Equal(expected, LogBytes(cluster.Brokers[leader].LogDir, topic));
    }

    private static int StoppedFollowing(BrokerProcess broker, int leader) =>
        broker.Output.Count(l => l.Contains($"stopped following broker {leader}", StringComparison.Ordinal));

    private static async Task StopAllAsync(KafkaCluster cluster)
    {
        foreach (var broker in cluster.Brokers.Values)
        {
            await broker.StopAsync(StopTimeout);
        }
    }
}
