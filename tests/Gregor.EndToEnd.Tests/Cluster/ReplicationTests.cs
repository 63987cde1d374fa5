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
/// replica's log dir; an old leader holding records nobody else has truncates them when it
/// rejoins. Each test waits for the replicas with generous deadlines, then compares the segment
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

    // Until the leader answers DivergingEpoch, the old leader sees OFFSET_OUT_OF_RANGE and
    // truncates only to the new leader's log end, keeping records the new leader never had.
    [Fact]
    public async Task An_old_leader_with_records_no_other_replica_has_truncates_them_when_it_follows_the_new_leader()
    {
        // The two replicas are the brokers that are not the controller, so that killing them
        // leaves the controller running. The follower goes first and the leader takes records
        // alone; then the leader goes, the follower returns and is elected (uncleanly: it left
        // the ISR), and takes records of its own at the same offsets.
        await using var cluster = await KafkaCluster.StartAsync(3, ["unclean.leader.election.enable=true"]);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var leader = new[] { 1, 2, 3 }.First(id => id != controller);
        var follower = new[] { 1, 2, 3 }.First(id => id != controller && id != leader);
        const string topic = "diverging";
        var through = cluster.Brokers[controller].BootstrapServers;
        await CreateReplicatedTopicAsync(cluster, topic, leader, follower);
        await WaitForMetadataAsync(through, topic, t => t.Partitions.Single().Leader == leader);
        await ProduceAsync(through, topic, 0, Values("shared", 10));
        await WaitInSyncAsync(cluster, topic, leader, follower);

        await cluster.Brokers[follower].KillAsync();
        await WaitForBrokerNodeAsync(zk, follower, present: false);
        await ProduceAsync(cluster.Brokers[leader].BootstrapServers, topic, 0, Values("only-on-the-old-leader", 10));
        await cluster.Brokers[leader].KillAsync();
        await WaitForBrokerNodeAsync(zk, leader, present: false);
        await WaitForMetadataAsync(through, topic, t => t.Partitions.Single().Leader == -1);

        await cluster.StartBrokerAsync(follower);
        await WaitForBrokerNodeAsync(zk, follower, present: true);
        await WaitForMetadataAsync(through, topic, t => t.Partitions.Single().Leader == follower);
        await ProduceAsync(cluster.Brokers[follower].BootstrapServers, topic, 0, Values("new-leader", 5));

        await cluster.StartBrokerAsync(leader);
        await WaitForBrokerNodeAsync(zk, leader, present: true);
        await cluster.Brokers[leader].WaitForOutputAsync($"{topic}-0: truncating from log end 20 to 10", Generous);
        await WaitInSyncAsync(cluster, topic, follower, leader);
        Assert.Equal([.. Values("shared", 10), .. Values("new-leader", 5)], Consume(cluster.Brokers[follower].BootstrapServers, topic, 0, 15));

        await StopAllAsync(cluster);
        Assert.Equal(LogBytes(cluster.Brokers[follower].LogDir, topic), LogBytes(cluster.Brokers[leader].LogDir, topic));
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
