using System.Globalization;
using Gregor.EndToEnd.Tests.Cluster;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// `gregor topics --describe` and its partition health reports on three brokers, one of them
/// killed: the controller takes the dead broker out of every ISR it is in (an ISR of one keeps
/// its last member) and leaves its replication-factor-1 partitions without a leader. The reports
/// select partitions as Kafka's TopicCommand does: under-replicated = ISR smaller than the
/// replicas; under-min-isr = no leader, or ISR smaller than min.insync.replicas; at-min-isr =
/// ISR exactly min.insync.replicas; unavailable = no leader, or a leader that is not live.
/// </summary>
public sealed class TopicsReportsClusterToolTests
{
    [Fact]
    public async Task Partition_reports_show_the_partitions_a_killed_broker_leaves_short()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        // Kill a broker that is not the controller, so that no controller failover is waited for.
        var controller = await ClusterProbe.WaitForControllerAsync(zk);
        var victim = new[] { 1, 2, 3 }.First(id => id != controller);
        var (a, b) = (controller, new[] { 1, 2, 3 }.First(id => id != controller && id != victim));
        var prefix = GregorTool.NewTopic("health");
        string single = prefix + "-single", spread = prefix + "-spread", strict = prefix + "-strict";
        await CreateAsync(cluster, single, $"{a},{victim}");
        await CreateAsync(cluster, spread, $"{victim}:{a}:{b},{a}:{b}:{victim},{b}:{victim}:{a}", "min.insync.replicas=2");
        await CreateAsync(cluster, strict, $"{a}:{b}:{victim}", "min.insync.replicas=3");
        var survivor = cluster.Brokers[a];
        await ClusterProbe.WaitForLeadersAsync(survivor.BootstrapServers, single, 2);
        await ClusterProbe.WaitForLeadersAsync(survivor.BootstrapServers, spread, 3);
        await ClusterProbe.WaitForLeadersAsync(survivor.BootstrapServers, strict, 1);
        var pattern = prefix + "-.*";

        // All three live: every ISR is full, so only the partitions whose minimum ISR is all their
        // replicas are at it: replication factor 1, and 3 with min.insync.replicas=3.
        Assert.Empty(await ReportAsync(survivor, pattern, "--under-replicated-partitions"));
        Assert.Empty(await ReportAsync(survivor, pattern, "--under-min-isr-partitions"));
        Assert.Empty(await ReportAsync(survivor, pattern, "--unavailable-partitions"));
        string[] atMinBefore = [Line(single, 0, a, [a], [a]), Line(single, 1, victim, [victim], [victim]), Line(strict, 0, a, [a, b, victim], [a, b, victim])];
        Assert.Equal(atMinBefore, await ReportAsync(survivor, pattern, "--at-min-isr-partitions"));

        await cluster.Brokers[victim].KillAsync();
        await ClusterProbe.WaitForBrokerNodeAsync(zk, victim, present: false);
        await ClusterProbe.WaitForMetadataAsync(survivor.BootstrapServers, single, t => t.Partitions.Single(p => p.PartitionId == 1).Leader == -1);
        await ClusterProbe.WaitForMetadataAsync(survivor.BootstrapServers, spread, t => t.Partitions.All(p => p.Leader >= 0 && p.InSyncReplicas.Length == 2));
        await ClusterProbe.WaitForMetadataAsync(survivor.BootstrapServers, strict, t => t.Partitions.All(p => p.Leader >= 0 && p.InSyncReplicas.Length == 2));

        // The dead broker's partition of the replication-factor-1 topic has no leader and keeps
        // its ISR of one; the others lose it from their ISR, a new leader taking over where it led.
        var describe = await GregorTool.SucceedAsync(survivor, "topics", ["--describe", "--topic", single]);
        Assert.Matches($@"^Topic: {single}\tTopicId: [A-Za-z0-9_-]{{22}}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: [^\t\n]*\n", describe.StandardOutput);
        Assert.Equal([Line(single, 0, a, [a], [a]), Line(single, 1, null, [victim], [victim])], GregorTool.Lines(describe.StandardOutput)[1..]);

        string[] shrunk = [Line(spread, 0, a, [victim, a, b], [a, b]), Line(spread, 1, a, [a, b, victim], [a, b]), Line(spread, 2, b, [b, victim, a], [b, a])];
        string strictShrunk = Line(strict, 0, a, [a, b, victim], [a, b]);
        string[] underReplicated = [.. shrunk, strictShrunk];
        Assert.Equal(underReplicated, await ReportAsync(survivor, pattern, "--under-replicated-partitions"));
        Assert.Equal([Line(single, 1, null, [victim], [victim]), strictShrunk], await ReportAsync(survivor, pattern, "--under-min-isr-partitions"));
        string[] atMin = [Line(single, 0, a, [a], [a]), Line(single, 1, null, [victim], [victim]), .. shrunk];
        Assert.Equal(atMin, await ReportAsync(survivor, pattern, "--at-min-isr-partitions"));
        Assert.Equal([Line(single, 1, null, [victim], [victim])], await ReportAsync(survivor, pattern, "--unavailable-partitions"));
        // Several reports: each partition once, if any of them selects it.
        string[] either = [Line(single, 1, null, [victim], [victim]), .. shrunk, strictShrunk];
        Assert.Equal(either, await ReportAsync(survivor, pattern, "--unavailable-partitions", "--under-replicated-partitions"));
    }

    private static Task CreateAsync(KafkaCluster cluster, string topic, string assignment, params string[] configs) =>
        ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", topic, "--replica-assignment", assignment,
            .. configs.SelectMany(c => new[] { "--config", c })]);

    private static async Task<string[]> ReportAsync(BrokerProcess broker, string pattern, params string[] reports) =>
        GregorTool.Lines((await GregorTool.SucceedAsync(broker, "topics", ["--describe", "--topic", pattern, .. reports])).StandardOutput);

    /// <summary>A partition line as Kafka 3.9's kafka-topics.sh prints it for a ZooKeeper-mode cluster.</summary>
    private static string Line(string topic, int partition, int? leader, int[] replicas, int[] isr) =>
        $"\tTopic: {topic}\tPartition: {partition}\tLeader: {leader?.ToString(CultureInfo.InvariantCulture) ?? "none"}" +
        $"\tReplicas: {string.Join(',', replicas)}\tIsr: {string.Join(',', isr)}\tElr: N/A\tLastKnownElr: N/A";
}
