using System.Text;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// Znodes written by hand that are not Kafka's format — a topic assignment that is not JSON, a
/// partition state of an unknown version — are logged with their path and skipped, by the
/// running controller and by one reading everything at failover; the cluster keeps working.
/// </summary>
public sealed class MalformedZnodeTests
{
    [Fact]
    public async Task Malformed_topic_and_partition_state_znodes_are_logged_with_their_path_and_skipped()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await cluster.WaitForRegisteredAsync([1, 2, 3], Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var others = new[] { 1, 2, 3 }.Where(id => id != controller).ToArray();
        var through = cluster.Brokers[others[0]].BootstrapServers;
        await CreateTopicAsync(cluster, "intact", others);
        await CreateTopicAsync(cluster, "corrupted", others);
        await WaitForLeadersAsync(through, "corrupted", 2);

        // A topic the running controller hears of, that is not JSON.
        await zk.CreateAsync("/brokers/topics/notjson", Encoding.UTF8.GetBytes("{\"version\":3,\"partitions\":"));
        await cluster.Brokers[controller].WaitForOutputAsync("[Mm]alformed znode /brokers/topics/notjson", Generous);
        await AdminClients.CreateTopicAsync(through, "while-running", 1);
        await WaitForLeadersAsync(through, "while-running", 1);

        // A partition state of a version Kafka never wrote, read by the next controller at failover.
        var statePath = "/brokers/topics/corrupted/partitions/0/state";
        var (state, _) = await zk.GetDataAsync(statePath);
        await zk.SetDataAsync(statePath, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(state).Replace("\"version\":1", "\"version\":9", StringComparison.Ordinal)));
        await cluster.Brokers[controller].KillAsync();
        var successor = await WaitForControllerAsync(zk, not: controller);
        var log = cluster.Brokers[successor];
        await log.WaitForOutputAsync($"[Mm]alformed znode {statePath}", Generous);
        await log.WaitForOutputAsync("[Mm]alformed znode /brokers/topics/notjson", Generous);

        foreach (var id in others)
        {
            Assert.False(cluster.Brokers[id].HasExited);
        }
        await WaitForNamedControllerAsync(cluster.Brokers[others[0]].Port, successor);
        await AdminClients.CreateTopicAsync(through, "after-failover", 1);
        await WaitForLeadersAsync(through, "after-failover", 1);
        foreach (var (topic, partition) in new[] { ("after-failover", 0), ("intact", 0), ("intact", 1), ("corrupted", 1) })
        {
            await ProduceAsync(through, topic, partition, Values(topic, 5));
            Assert.Equal(Values(topic, 5), Consume(through, topic, partition, 5));
        }
    }
}
