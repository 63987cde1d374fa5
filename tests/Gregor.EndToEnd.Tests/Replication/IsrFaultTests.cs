using Confluent.Kafka;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>
/// Faults that move the ISR: a frozen follower, two replicas down, a frozen leader whose session
/// expires, every replica down, and a leader cut off from its followers while it still reaches
/// ZooKeeper (Jepsen 2013). Each ends with the checker's clean report over every replica.
/// </summary>
[Collection(nameof(ReplicationCollection))]
[Trait("Category", "Faults")]
public sealed class IsrFaultTests(ReplicationCluster cluster, ITestOutputHelper output)
{
    private readonly Scenario _scenario = new(cluster, output);

    [Fact]
    public async Task A_follower_frozen_past_the_lag_time_leaves_the_isr_and_returns_after_sigcont()
    {
        await using var workload = await _scenario.BeginAsync("frozen-follower");
        var topic = _scenario.Topic;
        var leader = await cluster.LeaderAsync(topic, 0);
        var controller = await cluster.ControllerAsync();
        // Not the controller: a frozen controller would hold up the leader's AlterPartition.
        var follower = ReplicationCluster.Ids.First(id => id != leader && id != controller);
        await cluster.WhileFrozenAsync(follower, async () =>
        {
            _scenario.Log($"froze follower {follower} (leader {leader}, controller {controller})");
            await cluster.WaitForStateAsync(topic, 0, s => !s.Isr.Contains(follower), $"an ISR without {follower}");
            // Produce goes on with two in-sync replicas.
            await workload.WaitForAcksAsync(100);
        });
        await cluster.WaitForStateAsync(topic, 0, s => s.Isr.Contains(follower), $"{follower} back in the ISR");
        await _scenario.FinishAsync(workload);
    }

    [Fact]
    public async Task Two_of_three_replicas_down_refuse_acks_all_and_freeze_the_high_watermark()
    {
        await using var workload = await _scenario.BeginAsync("two-down", partitions: 1);
        var topic = _scenario.Topic;
        var leader = await cluster.LeaderAsync(topic, 0);
        var others = ReplicationCluster.Ids.Where(id => id != leader).ToList();
        foreach (var id in others)
        {
            await cluster.KillAsync(id);
        }
        await cluster.WaitForStateAsync(topic, 0, s => s.Leader == leader && s.Isr.SequenceEqual([leader]), $"[{leader}] alone in the ISR");
        // The leader refuses acks=all below min.insync.replicas (a producer that does not retry sees it).
        await ProbeUntilRefusedAsync(topic);
        var frozen = cluster.HighWatermark(topic, 0);
        var acksBefore = workload.AckedCount;
        Assert.Equal(ErrorCode.NotEnoughReplicas, await ProbeUntilRefusedAsync(topic));
        Assert.Equal(frozen, cluster.HighWatermark(topic, 0));
        var pastFrozen = workload.Acked.Skip(acksBefore).Where(a => a.Offset >= frozen).ToList();
        Assert.True(pastFrozen.Count == 0, $"acknowledged past the frozen high watermark {frozen}: {string.Join(", ", pastFrozen.Take(5))}");
        _scenario.Log($"high watermark frozen at {frozen} with {string.Join(",", others)} down");
        foreach (var id in others)
        {
            await cluster.StartAsync(id);
        }
        await _scenario.FinishAsync(workload);
    }

    [Fact]
    public async Task A_leader_frozen_past_its_session_is_replaced_and_after_sigcont_follows_and_truncates()
    {
        await using var workload = await _scenario.BeginAsync("frozen-leader", partitions: 1);
        var topic = _scenario.Topic;
        var leader = await cluster.LeaderAsync(topic, 0);
        var before = await cluster.WaitForStateAsync(topic, 0, s => s.Leader == leader, $"leader {leader}");
        await cluster.WhileFrozenAsync(leader, async () =>
        {
            await cluster.WaitForRegistrationAsync(leader, present: false);
            var after = await cluster.WaitForStateAsync(topic, 0, s => s.Leader > 0 && s.Leader != leader, $"a leader other than {leader}");
            Assert.True(after.LeaderEpoch > before.LeaderEpoch, $"leader epoch {before.LeaderEpoch} then {after.LeaderEpoch}");
            _scenario.Log($"leader {leader} frozen; {after}");
            await workload.WaitForAcksAsync(100);
        });
        // Resumed, it finds its session gone, registers again and follows the new leader.
        await cluster.WaitForRegistrationAsync(leader, present: true);
        await cluster.WaitForStateAsync(topic, 0, s => s.Leader != leader && s.Isr.Contains(leader), $"{leader} back in the ISR as a follower");
        await _scenario.FinishAsync(workload);
    }

    [Fact]
    public async Task All_replicas_down_the_last_in_sync_one_leads_when_back_and_no_out_of_sync_replica_ever_leads()
    {
        await using var workload = await _scenario.BeginAsync("all-down", partitions: 1);
        var topic = _scenario.Topic;
        var last = await cluster.LeaderAsync(topic, 0);
        var others = ReplicationCluster.Ids.Where(id => id != last).ToList();
        await using var monitor = cluster.Monitor(topic, 0);
        foreach (var id in others)
        {
            await cluster.KillAsync(id);
            await cluster.WaitForStateAsync(topic, 0, s => !s.Isr.Contains(id), $"an ISR without {id}");
        }
        await cluster.KillAsync(last);
        var isrAlone = monitor.Seen.Count;

        // The out-of-sync replicas return first: a controller among them finds the partition's
        // only in-sync replica gone and leaves it offline (the state may still name the dead
        // leader, as nobody was left to write -1 when it died).
        foreach (var id in others)
        {
            await cluster.StartAsync(id);
        }
        await cluster.Cluster.WaitForMetadataAsync(ReplicationCluster.Generous);
        var offline = await cluster.StateAsync(topic, 0);
        Assert.True(offline is { } o && !others.Contains(o.Leader) && o.Isr.SequenceEqual([last]), $"with {last} down: {offline}");
        await cluster.StartAsync(last);
        await cluster.WaitForStateAsync(topic, 0, s => s.Leader == last, $"{last} leading again");
        await _scenario.FinishAsync(workload);

        var seen = monitor.Seen;
        var unclean = seen.Skip(isrAlone).TakeWhile(s => s.Leader != last).Where(s => s.Leader != -1).ToList();
        Assert.True(unclean.Count == 0, $"an out-of-sync replica led: {string.Join("; ", unclean)} (states seen: {string.Join("; ", seen)})");
    }

    [Fact]
    public async Task A_leader_cut_off_from_its_followers_but_not_from_zookeeper_loses_nothing_acknowledged()
    {
        await using var workload = await _scenario.BeginAsync("cut-leader", partitions: 1);
        var topic = _scenario.Topic;
        var leader = await cluster.LeaderAsync(topic, 0);
        await using var monitor = cluster.Monitor(topic, 0);
        // Brokers (followers, the controller) no longer reach it; the workload's clients and ZooKeeper
        // still do, and so does the leader itself (its ISR change to itself when it is the
        // controller, which a partition between machines would not cut either).
        cluster.Cluster.Proxies[leader].Cut(clientId => !clientId.StartsWith(Workload.ClientIdPrefix, StringComparison.Ordinal)
            && !clientId.StartsWith($"broker-{leader}-", StringComparison.Ordinal) && clientId != $"controller-{leader}");
        _scenario.Log($"leader {leader} cut off from the other brokers");
        await cluster.WaitForStateAsync(topic, 0, s => s.Leader == leader && s.Isr.SequenceEqual([leader]), $"[{leader}] alone in the ISR");
        var shrunk = monitor.Seen.Count;
        // Jepsen 2013: the leader alone in the ISR dies. Nothing it acknowledged may be lost.
        await cluster.KillAsync(leader);
        cluster.Cluster.Proxies[leader].Heal();
        await cluster.WaitForStateAsync(topic, 0, s => s.Leader == -1, "no leader (unclean election is off)");
        await cluster.StartAsync(leader);
        await cluster.WaitForStateAsync(topic, 0, s => s.Leader == leader, $"{leader} leading again");
        await _scenario.FinishAsync(workload);

        var seen = monitor.Seen;
        var unclean = seen.Skip(shrunk).TakeWhile(s => s.Leader != leader || s.Isr.Count == 1).Where(s => s.Leader != -1 && s.Leader != leader).ToList();
        Assert.True(unclean.Count == 0, $"a replica outside the ISR led: {string.Join("; ", unclean)}");
    }

    /// <summary>Produces one record with acks=all and no retries until the leader refuses it; returns the refusal.</summary>
    private async Task<ErrorCode> ProbeUntilRefusedAsync(string topic)
    {
        using var probe = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = cluster.Bootstrap,
            ClientId = Workload.ClientIdPrefix + "probe",
            Acks = Acks.All,
            MessageSendMaxRetries = 0,
            MessageTimeoutMs = 30_000,
        }).Build();
        var deadline = DateTime.UtcNow + ReplicationCluster.Generous;
        while (true)
        {
            try
            {
                await probe.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, string> { Value = "probe" });
                Assert.Fail("a record was acknowledged with one replica in sync and min.insync.replicas=2");
            }
            catch (ProduceException<Null, string> e) when (e.Error.Code is ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend)
            {
                return e.Error.Code;
            }
            catch (ProduceException<Null, string>) when (DateTime.UtcNow < deadline)
            {
                // Not there yet (leader moving, connection refused): ask again.
            }
        }
    }
}
