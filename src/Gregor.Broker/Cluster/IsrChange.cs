using Gregor.Protocol.Errors;

namespace Gregor.Broker.Cluster;

/// <summary>A partition leader's proposed ISR (AlterPartition), with the epochs it was made under.</summary>
public sealed record IsrProposal(int LeaderEpoch, IReadOnlyList<int> NewIsr, LeaderRecoveryState LeaderRecoveryState, int PartitionEpoch);

/// <summary>
/// The controller's decision on an <see cref="IsrProposal"/>: an error; or the state to write
/// (<see cref="ToWrite"/>, conditional on its partition epoch); or, when the proposal is already
/// the current state (a retry whose answer was lost), <see cref="AlreadyCurrent"/>.
/// </summary>
public sealed record IsrChangeDecision(ErrorCode Error, LeaderAndIsr? ToWrite = null, LeaderAndIsr? AlreadyCurrent = null);

/// <summary>
/// The rules the controller applies to AlterPartition, pure. In order: only the current leader may
/// change the ISR (NOT_LEADER_OR_FOLLOWER); under the current leader epoch (FENCED_LEADER_EPOCH);
/// a proposal equal to the current state but for an older partition epoch is answered with the
/// current state (as Kafka's controller does, so that a resent request does not fail); otherwise
/// under the current partition epoch (INVALID_UPDATE_VERSION); a recovering leader proposes no
/// ISR beyond itself and a recovered one does not go back to recovering (INVALID_REQUEST); every
/// member is an assigned replica on a live broker, the leader among them, and no other member
/// is shutting down (INELIGIBLE_REPLICA). The state written keeps the leader and leader epoch;
/// the conditional write gives it the next partition epoch.
/// </summary>
public static class IsrChange
{
    public static IsrChangeDecision Decide(
        int senderId, IsrProposal proposal, LeaderAndIsr current, IReadOnlyList<int> assignment, Func<int, bool> isLive, Func<int, bool> isShuttingDown)
    {
        if (current.Leader != senderId)
        {
            return new(ErrorCode.NotLeaderOrFollower);
        }
        if (proposal.LeaderEpoch != current.LeaderEpoch)
        {
            return new(ErrorCode.FencedLeaderEpoch);
        }
        if (proposal.PartitionEpoch <= current.PartitionEpoch
            && proposal.LeaderRecoveryState == current.LeaderRecoveryState
            && proposal.NewIsr.Count == current.Isr.Count && proposal.NewIsr.ToHashSet().SetEquals(current.Isr))
        {
            return new(ErrorCode.None, AlreadyCurrent: current);
        }
        if (proposal.PartitionEpoch != current.PartitionEpoch)
        {
            return new(ErrorCode.InvalidUpdateVersion);
        }
        if (proposal.NewIsr.Distinct().Count() != proposal.NewIsr.Count
            || (proposal.LeaderRecoveryState == LeaderRecoveryState.Recovering && proposal.NewIsr.Count > 1)
            || (current.LeaderRecoveryState == LeaderRecoveryState.Recovered && proposal.LeaderRecoveryState == LeaderRecoveryState.Recovering))
        {
            return new(ErrorCode.InvalidRequest);
        }
        var eligible = proposal.NewIsr.Contains(current.Leader) && proposal.NewIsr.All(r =>
            assignment.Contains(r) && isLive(r) && (r == current.Leader || !isShuttingDown(r)));
        if (!eligible)
        {
            return new(ErrorCode.IneligibleReplica);
        }
        return new(ErrorCode.None, ToWrite: current with { Isr = [.. proposal.NewIsr], LeaderRecoveryState = proposal.LeaderRecoveryState });
    }
}
