using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.EndToEnd.Tests.Tools;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// The seed's example on a real cluster: ZooKeeper and four broker processes; a topic created
/// through ZooKeeper with `gregor topics --zookeeper` gets four partitions led by four different
/// brokers, which every broker's Metadata reports, and the znode holds Kafka's JSON.
/// </summary>
public sealed class SeedExampleTests
{
    [Fact]
    public async Task Four_partitions_created_through_zookeeper_are_led_by_four_brokers_as_every_broker_reports()
    {
        await using var cluster = await KafkaCluster.StartAsync(4);
        await cluster.WaitForRegisteredAsync([1, 2, 3, 4], Generous);

        await ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--partitions", "4", "--replication-factor", "1", "--topic", "t"]);

        foreach (var broker in cluster.Brokers.Values)
        {
            var topic = await ClusterProbe.WaitForLeadersAsync(broker.BootstrapServers, "t", 4);
            Assert.Equal(4, topic.Partitions.Select(p => p.Leader).Distinct().Count());
            using var admin = AdminClients.Create(broker.BootstrapServers);
            Assert.Equal([1, 2, 3, 4], admin.GetMetadata(TimeSpan.FromSeconds(30)).Brokers.Select(b => b.BrokerId).Order());
        }

        var shell = await ZooKeeperTool.SucceedAsync("zookeeper-shell", [cluster.ZooKeeperConnect, "get", "/brokers/topics/t"]);
        Assert.Matches("""^\{"partitions":\{"0":\[\d\],"1":\[\d\],"2":\[\d\],"3":\[\d\]\},"removing_replicas":\{\},"topic_id":"[A-Za-z0-9_-]{22}","adding_replicas":\{\},"version":3\}$""", shell.StandardOutput.Trim());
    }
}
