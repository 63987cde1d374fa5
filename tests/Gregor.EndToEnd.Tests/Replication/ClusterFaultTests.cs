using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>
/// Faults of the cluster rather than of one broker, under the workload: ZooKeeper away for 10 s,
/// and the workload's topic deleted and created again while it produces.
/// </summary>
[Collection(nameof(ReplicationCollection))]
[Trait("Category", "Faults")]
public sealed class ClusterFaultTests(ReplicationCluster cluster, ITestOutputHelper output)
{
    private readonly Scenario _scenario = new(cluster, output);

    [Fact]
    public async Task Zookeeper_down_for_10_seconds_loses_nothing_acknowledged()
    {
        await using var workload = await _scenario.BeginAsync("zookeeper-down");
        await cluster.Cluster.ZooKeeper.StopAsync();
        _scenario.Log("ZooKeeper killed");
        // The outage itself lasts 10 s (longer than the brokers' 4 s sessions).
        await Task.Delay(TimeSpan.FromSeconds(10));
        await cluster.Cluster.ZooKeeper.RestartAsync();
        await cluster.ReconnectZooKeeperAsync();
        _scenario.Log("ZooKeeper back");
        await cluster.Cluster.WaitForRegisteredAsync(ReplicationCluster.Ids, ReplicationCluster.Generous);
        await cluster.ControllerAsync();
        await _scenario.FinishAsync(workload);
    }

    [Fact(Skip = "fails some runs: after the topic is created again the idempotent producer (librdkafka) sometimes gets no acknowledgement within 90 s and the group reports the topic unavailable; cause not found yet")]
    public async Task A_topic_deleted_and_created_again_under_load_keeps_everything_acknowledged_afterwards()
    {
        await using var workload = await _scenario.BeginAsync("recreated");
        var topic = _scenario.Topic;
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.Bootstrap }).Build())
        {
            await admin.DeleteTopicsAsync([topic]);
        }
        await ReplicationCluster.WaitUntilAsync(async () => await cluster.ZooKeeper.ExistsAsync($"/brokers/topics/{topic}") is null,
            () => $"/brokers/topics/{topic} is still there");
        await ReplicationCluster.WaitUntilAsync(
            () => Task.FromResult(cluster.LogDirs.Values.All(dir => !Enumerable.Range(0, _scenario.Partitions).Any(p => Directory.Exists(Path.Combine(dir, $"{topic}-{p}"))))),
            () => $"a log dir still holds a partition of {topic}");
        _scenario.Log($"{topic} deleted after {workload.AckedCount} acknowledged");
        var recreatedAt = workload.Now;
        await cluster.CreateTopicAsync(topic, _scenario.Partitions);
        _scenario.Log($"{topic} created again");
        var report = await _scenario.FinishAsync(workload, ackedSince: recreatedAt);
        Assert.True(report.Acknowledged > 0, "nothing was acknowledged after the topic was created again");
    }
}
