using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// The controller fails: killed with SIGKILL, another broker wins the next election (one epoch
/// later) and serves admin requests; frozen with SIGSTOP past its session, it wakes up deposed,
/// writes nothing to ZooKeeper (its writes are fenced by /controller_epoch) and what it would
/// send with its old epoch is refused by the brokers as STALE_CONTROLLER_EPOCH.
/// </summary>
public sealed class ControllerFailureTests
{
    [Fact]
    public async Task A_killed_controller_is_replaced_one_epoch_later_and_a_new_topic_works()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await cluster.WaitForRegisteredAsync([1, 2, 3], Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var old = await WaitForControllerAsync(zk);
        var epoch = await ControllerEpochAsync(zk);

        await cluster.Brokers[old].KillAsync();
        var successor = await WaitForControllerAsync(zk, not: old);

        Assert.NotEqual(old, successor);
        Assert.Equal(epoch + 1, await ControllerEpochAsync(zk));
        var other = new[] { 1, 2, 3 }.First(id => id != old && id != successor);
        var through = cluster.Brokers[other].BootstrapServers;
        // The admin client sends CreateTopics to the controller the broker names.
        await WaitForNamedControllerAsync(cluster.Brokers[other].Port, successor);
        await AdminClients.CreateTopicAsync(through, "after-failover", 2);
        await WaitForMetadataAsync(through, "after-failover", t => t.Partitions.Count == 2 && t.Partitions.All(p => p.Leader is var l && l != old && l >= 0));
        foreach (var p in new[] { 0, 1 })
        {
            await ProduceAsync(through, "after-failover", p, Values($"p{p}", 10));
            Assert.Equal(Values($"p{p}", 10), Consume(through, "after-failover", p, 10));
        }
    }

    [Fact]
    public async Task A_controller_resumed_after_a_new_election_changes_nothing_and_its_epoch_is_refused()
    {
        await using var cluster = await KafkaCluster.StartAsync(3);
        await cluster.WaitForRegisteredAsync([1, 2, 3], Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var frozen = await WaitForControllerAsync(zk);
        var staleEpoch = await ControllerEpochAsync(zk);
        var others = new[] { 1, 2, 3 }.Where(id => id != frozen).ToArray();
        // Partitions on the other brokers only: the frozen broker's absence and return change
        // nothing a controller must write, so any write after it resumes would be its own.
        await CreateTopicAsync(cluster, "fenced", others);
        await WaitForLeadersAsync(cluster.Brokers[others[0]].BootstrapServers, "fenced", 2);

        cluster.Brokers[frozen].Signal("STOP");
        int successor;
        List<(int Partition, string Data, int Version)> before;
        (byte[] Data, Gregor.ZooKeeper.ZkStat Stat) controllerBefore;
        int epochBefore;
        try
        {
            successor = await WaitForControllerAsync(zk, not: frozen);
            await WaitForBrokerNodeAsync(zk, frozen, present: false);
            await WaitUntilAsync(
                async () => (await Task.WhenAll(others.Select(id => MetadataControllerAsync(cluster.Brokers[id].Port)))).All(c => c == successor),
                () => Task.FromResult($"the brokers do not all name {successor} as controller yet"));
            before = await PartitionStatesAsync(zk, "fenced", 2);
            controllerBefore = await zk.GetDataAsync("/controller");
            epochBefore = await ControllerEpochAsync(zk);
        }
        finally
        {
            cluster.Brokers[frozen].Signal("CONT");
        }
        Assert.Equal(staleEpoch + 1, epochBefore);

        // What it does on waking up: its session is gone, so it resigns and registers again.
        await cluster.Brokers[frozen].WaitForOutputAsync($"Broker {frozen} resigns as controller \\(epoch {staleEpoch}\\)", Generous);
        await WaitForBrokerNodeAsync(zk, frozen, present: true);
        await WaitForNamedControllerAsync(cluster.Brokers[frozen].Port, successor);

        Assert.Equal(before, await PartitionStatesAsync(zk, "fenced", 2));
        var controllerAfter = await zk.GetDataAsync("/controller");
        Assert.Equal(controllerBefore.Data, controllerAfter.Data);
        Assert.Equal(controllerBefore.Stat.Czxid, controllerAfter.Stat.Czxid);
        Assert.Equal(epochBefore, await ControllerEpochAsync(zk));

        // A request with its old epoch is refused, and the receiver says so in its log.
        foreach (var id in others)
        {
            var response = await AdminClients.RoundTripAsync<UpdateMetadataRequest, UpdateMetadataResponse>(cluster.Brokers[id].Port,
                new UpdateMetadataRequest { ControllerId = frozen, ControllerEpoch = staleEpoch }, 7);
            Assert.Equal(ErrorCode.StaleControllerEpoch, (ErrorCode)response.ErrorCode);
            await cluster.Brokers[id].WaitForOutputAsync($"Refused UpdateMetadata from controller {frozen} with epoch {staleEpoch}: StaleControllerEpoch", Generous);
        }
    }
}
