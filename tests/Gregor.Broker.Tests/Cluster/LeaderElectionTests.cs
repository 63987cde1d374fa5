using Gregor.Broker.Cluster;

namespace Gregor.Broker.Tests.Cluster;

/// <summary>Kafka's leader election rules for new, offline, shutting-down and preferred-replica cases.</summary>
public sealed class LeaderElectionTests
{
    private static HashSet<int> Live(params int[] ids) => [.. ids];

    [Fact]
    public void A_new_partition_is_led_by_its_first_live_replica_with_every_live_replica_in_sync()
    {
        var state = LeaderElection.ForNewPartition([2, 3, 1], Live(1, 3))!;

        Assert.Equal((3, 0, 0), (state.Leader, state.LeaderEpoch, state.PartitionEpoch));
        Assert.Equal([3, 1], state.Isr);
        Assert.Null(LeaderElection.ForNewPartition([2], Live(1, 3)));
    }

    [Fact]
    public void Offline_election_takes_the_first_assigned_replica_that_is_live_and_in_sync()
    {
        var current = new LeaderAndIsr(1, 4, [1, 3, 2], PartitionEpoch: 7);

        // 2 and 3 are both live and in sync: assignment order decides, ISR order does not.
        var result = LeaderElection.ForOfflinePartition([1, 2, 3], current, Live(2, 3), uncleanLeaderElectionEnabled: false)!;

        Assert.False(result.Unclean);
        Assert.Equal(2, result.LeaderAndIsr.Leader);
        Assert.Equal(5, result.LeaderAndIsr.LeaderEpoch);
        Assert.Equal([3, 2], result.LeaderAndIsr.Isr);
        Assert.Equal(7, result.LeaderAndIsr.PartitionEpoch);
    }

    [Fact]
    public void A_live_replica_outside_the_isr_is_not_elected_cleanly()
    {
        var current = new LeaderAndIsr(1, 4, [1, 3]);

        var result = LeaderElection.ForOfflinePartition([1, 2, 3], current, Live(2, 3), uncleanLeaderElectionEnabled: false)!;

        Assert.Equal(3, result.LeaderAndIsr.Leader);
        Assert.Equal([3], result.LeaderAndIsr.Isr);
    }

    [Fact]
    public void Without_a_live_isr_member_the_partition_goes_offline_and_keeps_its_isr()
    {
        var current = new LeaderAndIsr(1, 4, [1]);

        var offline = LeaderElection.ForOfflinePartition([1, 2], current, Live(2), uncleanLeaderElectionEnabled: false)!;

        Assert.Equal(LeaderAndIsr.NoLeader, offline.LeaderAndIsr.Leader);
        Assert.Equal([1], offline.LeaderAndIsr.Isr);
        Assert.Equal(5, offline.LeaderAndIsr.LeaderEpoch);
        // Already offline with still no candidate: nothing to write, the epoch is not bumped again.
        Assert.Null(LeaderElection.ForOfflinePartition([1, 2], offline.LeaderAndIsr, Live(2), uncleanLeaderElectionEnabled: false));
    }

    [Fact]
    public void Unclean_election_takes_the_first_live_replica_alone_in_the_isr()
    {
        var current = new LeaderAndIsr(LeaderAndIsr.NoLeader, 5, [1]);

        var result = LeaderElection.ForOfflinePartition([1, 3, 2], current, Live(2, 3), uncleanLeaderElectionEnabled: true)!;

        Assert.True(result.Unclean);
        Assert.Equal(3, result.LeaderAndIsr.Leader);
        Assert.Equal([3], result.LeaderAndIsr.Isr);
        Assert.Equal(6, result.LeaderAndIsr.LeaderEpoch);
        Assert.Equal(LeaderRecoveryState.Recovering, result.LeaderAndIsr.LeaderRecoveryState);
        Assert.Null(LeaderElection.ForOfflinePartition([1], current, Live(2, 3), uncleanLeaderElectionEnabled: true));
    }

    [Fact]
    public void Clean_election_is_preferred_even_when_unclean_is_enabled()
    {
        var result = LeaderElection.ForOfflinePartition([1, 2, 3], new LeaderAndIsr(1, 0, [1, 3]), Live(2, 3), uncleanLeaderElectionEnabled: true)!;

        Assert.False(result.Unclean);
        Assert.Equal(3, result.LeaderAndIsr.Leader);
    }

    [Fact]
    public void Controlled_shutdown_moves_leadership_off_the_shutting_down_broker_and_out_of_the_isr()
    {
        var current = new LeaderAndIsr(1, 2, [1, 2, 3]);

        var moved = LeaderElection.ForControlledShutdown([1, 2, 3], current, Live(1, 2, 3), shuttingDownBrokers: Live(1))!;

        Assert.Equal(2, moved.Leader);
        Assert.Equal([2, 3], moved.Isr);
        Assert.Equal(3, moved.LeaderEpoch);
        Assert.Null(LeaderElection.ForControlledShutdown([1, 2], new LeaderAndIsr(1, 2, [1]), Live(1, 2), Live(1)));
    }

    [Fact]
    public void Preferred_replica_takes_over_only_when_live_in_sync_and_not_already_leading()
    {
        var current = new LeaderAndIsr(2, 3, [2, 1]);

        Assert.Equal(1, LeaderElection.ForPreferredReplica([1, 2], current, Live(1, 2))!.Leader);
        Assert.Null(LeaderElection.ForPreferredReplica([1, 2], current, Live(2)));
        Assert.Null(LeaderElection.ForPreferredReplica([2, 1], current, Live(1, 2)));
        Assert.Null(LeaderElection.ForPreferredReplica([1, 2], new LeaderAndIsr(2, 3, [2]), Live(1, 2)));
    }

    [Fact]
    public void An_offline_replica_leaves_the_isr_but_the_last_member_stays()
    {
        var current = new LeaderAndIsr(1, 0, [1, 2]);

        var follower = LeaderElection.RemoveReplicaFromIsr(current, 2)!;
        Assert.Equal((1, 1), (follower.Leader, follower.LeaderEpoch));
        Assert.Equal([1], follower.Isr);

        var last = LeaderElection.RemoveReplicaFromIsr(follower, 1)!;
        Assert.Equal((LeaderAndIsr.NoLeader, 2), (last.Leader, last.LeaderEpoch));
        Assert.Equal([1], last.Isr);

        Assert.Null(LeaderElection.RemoveReplicaFromIsr(current, 3));
    }
}
