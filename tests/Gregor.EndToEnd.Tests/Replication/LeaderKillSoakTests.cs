using System.Globalization;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>
/// A test that runs only when <c>GREGOR_SOAK</c> is set (scripts/soak.sh sets it): the long run
/// is not part of the default test run.
/// </summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("GREGOR_SOAK") is null)
        {
            Skip = "the long run: scripts/soak.sh";
        }
    }
}

/// <summary>
/// The long run: kill -9 of whichever broker leads partition 0, restart, repeat
/// (<c>GREGOR_SOAK_KILLS</c> times, 50 unless set) under the continuous workload, on its own
/// cluster. Prints kills, records acknowledged, lost, duplicated and the longest produce stall
/// after a kill (kill to the first record acknowledged on partition 0 afterwards), and asserts
/// the checker's report is clean.
/// </summary>
public sealed class LeaderKillSoakTests(ITestOutputHelper output)
{
    [SoakFact]
    public async Task Fifty_leader_kills_under_load_lose_nothing_acknowledged()
    {
        var kills = int.Parse(Environment.GetEnvironmentVariable("GREGOR_SOAK_KILLS") ?? "50", CultureInfo.InvariantCulture);
        var cluster = new ReplicationCluster();
        await cluster.InitializeAsync();
        try
        {
            var scenario = new Scenario(cluster, output);
            await using var workload = await scenario.BeginAsync("soak");
            var longestStall = TimeSpan.Zero;
            for (var kill = 1; kill <= kills; kill++)
            {
                var leader = await cluster.LeaderAsync(scenario.Topic, 0);
                var killedAt = workload.Now;
                await cluster.Cluster.Brokers[leader].KillAsync();
                TimeSpan? resumed = null;
                await ReplicationCluster.WaitUntilAsync(() => Task.FromResult((resumed = workload.FirstAckAfter(killedAt, partition: 0)) is not null),
                    () => $"nothing acknowledged on partition 0 after kill {kill} of broker {leader}", TimeSpan.FromSeconds(120));
                var stall = resumed!.Value - killedAt;
                longestStall = stall > longestStall ? stall : longestStall;
                await cluster.WaitForRegistrationAsync(leader, present: false);
                await cluster.StartAsync(leader);
                await cluster.WaitForFullIsrAsync(scenario.Topic, scenario.Partitions);
                scenario.Log($"kill {kill}: broker {leader}, produce stalled {stall.TotalSeconds:F1} s, {workload.AckedCount} acknowledged");
            }
            var report = await scenario.FinishAsync(workload);
            output.WriteLine($"SOAK kills {kills}, acknowledged {report.Acknowledged}, lost {report.Lost}, duplicated {report.Duplicates}, " +
                $"inconsistent offsets {report.Inconsistent}, not consumed {report.NotConsumed}, longest produce stall after a kill {longestStall.TotalSeconds:F1} s");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
