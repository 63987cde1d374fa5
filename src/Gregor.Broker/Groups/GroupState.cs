namespace Gregor.Broker.Groups;

/// <summary>
/// The classic group protocol's states, named as Kafka names them (DescribeGroups and ListGroups
/// report these names). Legal transitions:
/// Empty → PreparingRebalance (a member joins);
/// PreparingRebalance → CompletingRebalance (every member rejoined, or the rebalance timeout passed) or Empty (none left);
/// CompletingRebalance → Stable (the leader's assignment is stored) or PreparingRebalance (membership changed);
/// Stable → PreparingRebalance (a member joins, leaves, fails, or the leader rejoins);
/// any state → Dead (the group is deleted or its offsets expired).
/// </summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

internal static class GroupStateTransitions
{
    /// <summary>The states a group may be in just before entering <paramref name="target"/>.</summary>
    public static bool IsValidPrevious(GroupState target, GroupState previous) => target switch
    {
        GroupState.Empty => previous == GroupState.PreparingRebalance,
        GroupState.PreparingRebalance => previous is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty,
        GroupState.CompletingRebalance => previous == GroupState.PreparingRebalance,
        GroupState.Stable => previous == GroupState.CompletingRebalance,
        GroupState.Dead => true,
        _ => false,
    };
}
