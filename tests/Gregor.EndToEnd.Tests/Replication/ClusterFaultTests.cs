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

    [Fact]
    public async Task A_topic_deleted_and_created_again_under_load_keeps_everything_acknowledged_afterwards()
    {
        await using var workload = await _scenario.BeginAsync("recreated");
        var topic = _scenario.Topic;
        await ReplicationCluster.WaitUntilAsync(() => Task.FromResult(workload.Consumed.Count > 0), () => "the consumer has read nothing yet");
        var releases = workload.Releases;
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
        // The group lets go of the deleted topic before it is created again. A consumer that never
        // saw it gone keeps its old positions and leader epochs for the new topic (librdkafka
        // resets neither when a topic's id changes), which is not what this scenario is about.
        await workload.WaitForReleaseAsync(releases);
        var recreatedAt = workload.Now;
        await cluster.CreateTopicAsync(topic, _scenario.Partitions);
        _scenario.Log($"{topic} created again");
        var report = await _scenario.FinishAsync(workload, ackedSince: recreatedAt);
        Assert.True(report.Acknowledged > 0, "nothing was acknowledged after the topic was created again");
    }
}
