using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// ZooKeeper goes away while the brokers run. Frozen for less than the session timeout, the
/// brokers keep serving what they lead and no election follows; killed for longer and
/// restarted with its data, the cluster comes back whole: every broker registered, a
/// controller, every acknowledged record still there. (A restarted ZooKeeper restores the
/// sessions it had and gives each a fresh timeout, so the brokers normally resume theirs and keep
/// their registrations; a broker whose session did expire registers again.)
/// </summary>
public sealed class ZooKeeperOutageTests
{
    [Fact]
    public async Task A_short_zookeeper_pause_interrupts_neither_produce_nor_fetch_nor_the_controller()
    {
        await using var cluster = await KafkaCluster.StartAsync(2);
        await cluster.WaitForRegisteredAsync([1, 2], Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        await WaitForControllerAsync(zk);
        var epoch = await ControllerEpochAsync(zk);
        await CreateTopicAsync(cluster, "paused", 1, 2);
        await WaitForLeadersAsync(cluster.BootstrapServers, "paused", 2);
        // Clients connected and warm before the pause, so what it takes is produce and fetch only.
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }).Build();
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "unused" }).Build();
        consumer.Assign([new TopicPartitionOffset("paused", 0, Offset.Beginning), new TopicPartitionOffset("paused", 1, Offset.Beginning)]);
        await producer.ProduceAsync(new TopicPartition("paused", 0), new Message<Null, string> { Value = "warm" });
        Assert.Equal("warm", consumer.Consume(Generous)!.Message.Value);

        var received = new List<string>();
        cluster.ZooKeeper.Suspend();
        try
        {
            foreach (var p in new[] { 0, 1 })
            {
                var sent = await producer.ProduceAsync(new TopicPartition("paused", p), new Message<Null, string> { Value = $"paused-{p}" });
                Assert.Equal(PersistenceStatus.Persisted, sent.Status);
            }
            while (received.Count < 2 && consumer.Consume(Generous) is { } record)
            {
                received.Add(record.Message.Value);
            }
        }
        finally
        {
            cluster.ZooKeeper.Resume();
        }
        Assert.Equal(["paused-0", "paused-1"], received.Order());

        // The sessions survived: both brokers still registered under them and nobody was elected.
        await cluster.WaitForRegisteredAsync([1, 2], Generous);
        Assert.Equal(epoch, await ControllerEpochAsync(zk));
        Assert.All(cluster.Brokers.Values, b => Assert.DoesNotContain(b.Output, l => System.Text.RegularExpressions.Regex.IsMatch(l, "ZooKeeper session 0x[0-9a-f]+ expired")));
    }

    [Fact]
    public async Task Zookeeper_down_past_the_session_timeout_and_back_leaves_a_whole_cluster_and_every_record()
    {
        await using var cluster = await KafkaCluster.StartAsync(2);
        await cluster.WaitForRegisteredAsync([1, 2], Generous);
        await CreateTopicAsync(cluster, "outage", 1, 2);
        await WaitForLeadersAsync(cluster.BootstrapServers, "outage", 2);
        foreach (var p in new[] { 0, 1 })
        {
            await ProduceAsync(cluster.BootstrapServers, "outage", p, Values($"before-{p}", 20));
        }

        await cluster.ZooKeeper.StopAsync();
        foreach (var broker in cluster.Brokers.Values)
        {
            await broker.WaitForOutputAsync("Disconnected from ZooKeeper", Generous);
        }
        // The outage has to outlast the brokers' session timeout (6 s).
        await Task.Delay(TimeSpan.FromSeconds(7));
        await cluster.ZooKeeper.RestartAsync();

        await cluster.WaitForRegisteredAsync([1, 2], Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        await WaitForControllerAsync(zk);
        await WaitForLeadersAsync(cluster.BootstrapServers, "outage", 2);
        foreach (var p in new[] { 0, 1 })
        {
            await ProduceAsync(cluster.BootstrapServers, "outage", p, Values($"after-{p}", 5));
            Assert.Equal([.. Values($"before-{p}", 20), .. Values($"after-{p}", 5)], Consume(cluster.BootstrapServers, "outage", p, 25));
        }
    }
}
