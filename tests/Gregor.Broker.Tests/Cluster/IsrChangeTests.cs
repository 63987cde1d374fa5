using Gregor.Broker.Cluster;
using Gregor.Protocol.Errors;
using Gregor.Storage;

namespace Gregor.Broker.Tests.Cluster;

/// <summary>The controller's rules for a leader's AlterPartition, and the leader imbalance that triggers automatic preferred elections.</summary>
public sealed class IsrChangeTests
{
    private static readonly LeaderAndIsr Current = new(1, 4, [1, 2, 3], PartitionEpoch: 7);
    private static readonly int[] Assignment = [1, 2, 3];

    private static IsrChangeDecision Decide(int sender, IsrProposal proposal, Func<int, bool>? live = null, Func<int, bool>? shuttingDown = null) =>
        IsrChange.Decide(sender, proposal, Current, Assignment, live ?? (_ => true), shuttingDown ?? (_ => false));

    [Fact]
    public void A_shrink_by_the_leader_under_current_epochs_keeps_the_leader_epoch()
    {
        var decision = Decide(1, new IsrProposal(4, [1, 3], LeaderRecoveryState.Recovered, 7));

        Assert.Equal(ErrorCode.None, decision.Error);
        var written = decision.ToWrite!;
        Assert.Equal((1, 4, 7), (written.Leader, written.LeaderEpoch, written.PartitionEpoch));
        Assert.Equal([1, 3], written.Isr);
    }

    [Fact]
    public void Stale_or_foreign_proposals_are_refused_with_kafkas_codes()
    {
        Assert.Equal(ErrorCode.NotLeaderOrFollower, Decide(2, new IsrProposal(4, [1, 2], LeaderRecoveryState.Recovered, 7)).Error);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, Decide(1, new IsrProposal(3, [1, 2], LeaderRecoveryState.Recovered, 7)).Error);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, Decide(1, new IsrProposal(5, [1, 2], LeaderRecoveryState.Recovered, 7)).Error);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, Decide(1, new IsrProposal(4, [1, 2], LeaderRecoveryState.Recovered, 6)).Error);
        Assert.Equal(ErrorCode.InvalidUpdateVersion, Decide(1, new IsrProposal(4, [1, 2], LeaderRecoveryState.Recovered, 8)).Error);
    }

    [Fact]
    public void A_resent_proposal_that_is_already_the_state_answers_the_state()
    {
        var decision = Decide(1, new IsrProposal(4, [3, 2, 1], LeaderRecoveryState.Recovered, 6));

        Assert.Equal(ErrorCode.None, decision.Error);
        Assert.Null(decision.ToWrite);
        Assert.Same(Current, decision.AlreadyCurrent);
    }

    [Fact]
    public void The_new_isr_holds_the_leader_and_only_live_assigned_replicas_not_shutting_down()
    {
        IsrProposal Isr(params int[] isr) => new(4, isr, LeaderRecoveryState.Recovered, 7);

        Assert.Equal(ErrorCode.IneligibleReplica, Decide(1, Isr(2, 3)).Error);
        Assert.Equal(ErrorCode.IneligibleReplica, Decide(1, Isr(1, 4)).Error);
        Assert.Equal(ErrorCode.IneligibleReplica, Decide(1, Isr(1, 2), live: id => id != 2).Error);
        Assert.Equal(ErrorCode.IneligibleReplica, Decide(1, Isr(1, 2), shuttingDown: id => id == 2).Error);
        // The leader itself may be shutting down (its partitions have nowhere to go yet).
        Assert.Equal(ErrorCode.None, Decide(1, Isr(1, 3), shuttingDown: id => id == 1).Error);
        Assert.Equal(ErrorCode.InvalidRequest, Decide(1, Isr(1, 1)).Error);
    }

    [Fact]
    public void A_recovering_leader_proposes_no_other_member_and_a_recovered_one_does_not_go_back()
    {
        Assert.Equal(ErrorCode.InvalidRequest, Decide(1, new IsrProposal(4, [1, 2], LeaderRecoveryState.Recovering, 7)).Error);
        Assert.Equal(ErrorCode.InvalidRequest, Decide(1, new IsrProposal(4, [1], LeaderRecoveryState.Recovering, 7)).Error);
    }

    [Fact]
    public void Imbalance_above_the_percentage_makes_the_misplaced_partitions_candidates()
    {
        static (TopicPartition, IReadOnlyList<int>, int?) P(int partition, int leader, params int[] replicas) => (new TopicPartition("t", partition), replicas, leader);

        // Broker 1 prefers four partitions and leads three (25% misplaced); broker 2 prefers two and leads none.
        var partitions = new[] { P(0, 1, 1, 2), P(1, 1, 1, 3), P(2, 1, 1, 2), P(3, 3, 1, 3), P(4, 3, 2, 3), P(5, 1, 2, 1) };

        Assert.Equal([new TopicPartition("t", 3), new TopicPartition("t", 4), new TopicPartition("t", 5)], LeaderImbalance.Candidates(partitions, 10).OrderBy(p => p.Partition));
        Assert.Equal([new TopicPartition("t", 4), new TopicPartition("t", 5)], LeaderImbalance.Candidates(partitions, 25).OrderBy(p => p.Partition));
        Assert.Empty(LeaderImbalance.Candidates(partitions, 100));
    }
}
