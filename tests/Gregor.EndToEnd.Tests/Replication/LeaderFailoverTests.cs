using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>
/// Kafka's replication_test.py on three brokers: the leader of partition 0 (or the controller)
/// shut down cleanly, killed with SIGKILL, or bounced five times each way, while the workload
/// produces with acks=all and consumes as a group. Every acknowledged record must be on every
/// replica at its offset, once, and consumed.
/// </summary>
[Collection(nameof(ReplicationCollection))]
[Trait("Category", "Faults")]
public sealed class LeaderFailoverTests(ReplicationCluster cluster, ITestOutputHelper output)
{
    private readonly Scenario _scenario = new(cluster, output);

    [Fact]
    public Task Clean_shutdown_of_the_leader_loses_nothing_acknowledged() => LeaderDownAndBackAsync("clean-shutdown", hard: false);

    [Fact]
    public Task Kill_9_of_the_leader_loses_nothing_acknowledged() => LeaderDownAndBackAsync("kill-leader", hard: true);

    [Fact]
    public async Task Kill_9_of_the_controller_loses_nothing_acknowledged()
    {
        await using var workload = await _scenario.BeginAsync("kill-controller");
        var controller = await cluster.ControllerAsync();
        await cluster.KillAsync(controller);
        await ReplicationCluster.WaitUntilAsync(async () => await cluster.ControllerAsync() != controller,
            () => $"/controller still names {controller}");
        for (var p = 0; p < _scenario.Partitions; p++)
        {
            await cluster.WaitForStateAsync(_scenario.Topic, p, s => s.Leader > 0 && s.Leader != controller, $"a leader other than {controller}");
        }
        await workload.WaitForAcksAsync(100);
        await cluster.StartAsync(controller);
        await _scenario.FinishAsync(workload);
    }

    [Fact]
    public async Task Five_clean_and_five_hard_bounces_of_the_leader_lose_nothing_acknowledged()
    {
        await using var workload = await _scenario.BeginAsync("bounces");
        foreach (var hard in new[] { false, false, false, false, false, true, true, true, true, true })
        {
            var leader = await TakeLeaderDownAsync(hard);
            await cluster.StartAsync(leader);
            // The next bounce starts from a full ISR, so that min.insync.replicas still holds after it.
            await cluster.WaitForFullIsrAsync(_scenario.Topic, _scenario.Partitions);
            await workload.WaitForAcksAsync(50);
        }
        await _scenario.FinishAsync(workload);
    }

    /// <summary>The leader of partition 0 down, produce going on through another, the leader back.</summary>
    private async Task LeaderDownAndBackAsync(string name, bool hard)
    {
        await using var workload = await _scenario.BeginAsync(name);
        var leader = await TakeLeaderDownAsync(hard);
        await workload.WaitForAcksAsync(100);
        await cluster.StartAsync(leader);
        await _scenario.FinishAsync(workload);
    }

    /// <summary>SIGTERM or kill -9 of partition 0's leader; returns it once another leads.</summary>
    private async Task<int> TakeLeaderDownAsync(bool hard)
    {
        var leader = await cluster.LeaderAsync(_scenario.Topic, 0);
        _scenario.Log($"{(hard ? "kill -9" : "SIGTERM")} of leader {leader}");
        await (hard ? cluster.KillAsync(leader) : cluster.StopAsync(leader));
        await WaitForOtherLeaderAsync(leader);
        return leader;
    }

    private Task WaitForOtherLeaderAsync(int old) =>
        cluster.WaitForStateAsync(_scenario.Topic, 0, s => s.Leader > 0 && s.Leader != old, $"a leader other than {old}");
}
