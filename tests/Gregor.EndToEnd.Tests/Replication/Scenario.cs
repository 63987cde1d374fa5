using System.Diagnostics;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>
/// The frame of every fault scenario: from the cluster's known state, a new topic (replication
/// factor 3, min.insync.replicas=2) with the workload running on it; then the scenario's fault;
/// then, with every broker back, more records acknowledged, the producer stopped, a full ISR
/// again, and the checker's report over every replica's log, which must be clean.
/// </summary>
internal sealed class Scenario(ReplicationCluster cluster, ITestOutputHelper output)
{
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    public ReplicationCluster Cluster => cluster;

    public string Topic { get; private set; } = "";

    public int Partitions { get; private set; }

    /// <summary>Resets the cluster, creates the topic and starts the workload; returns once records are being acknowledged.</summary>
    public async Task<Workload> BeginAsync(string name, int partitions = 3)
    {
        await cluster.ResetAsync();
        Topic = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 60)];
        Partitions = partitions;
        await cluster.CreateTopicAsync(Topic, partitions);
        var workload = Workload.Start(cluster.Bootstrap, Topic, partitions);
        await workload.WaitForAcksAsync(100);
        Log($"workload running on {Topic}");
        return workload;
    }

    /// <summary>
    /// With every broker back: produce goes on (more acknowledged), then the producer stops, the
    /// ISR fills, and every replica is checked. Only records sent after
    /// <paramref name="ackedSince"/> count when it is given (a topic deleted and re-created).
    /// </summary>
    public async Task<ReplicationReport> FinishAsync(Workload workload, TimeSpan? ackedSince = null)
    {
        await cluster.ResetAsync();
        await workload.WaitForAcksAsync(100);
        await workload.StopProducingAsync();
        Log($"producer stopped: {workload.Sent} sent, {workload.AckedCount} acknowledged");
        try
        {
            await cluster.WaitForFullIsrAsync(Topic, Partitions);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            // Say what the replicas hold as well: that is what a failing ISR usually explains.
            var now = ReplicationChecker.Check(workload, cluster.LogDirs, ackedSince);
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{ReplicationChecker.Describe(now, workload)}");
        }
        var report = await ReplicationChecker.CheckUntilCleanAsync(workload, cluster.LogDirs, ReplicationCluster.Generous, ackedSince);
        Log(report.ToString());
        Assert.True(report.IsClean, ReplicationChecker.Describe(report, workload));
        return report;
    }

    public void Log(string line) => output.WriteLine($"[{_elapsed.Elapsed.TotalSeconds,6:F1}s] {line}");
}
