namespace Gregor.Broker.Cluster;

/// <summary>Kafka's LeaderRecoveryState: a leader elected from outside the ISR is Recovering until it has settled.</summary>
public enum LeaderRecoveryState : byte
{
    Recovered = 0,
    Recovering = 1,
}

/// <summary>
/// A partition's leader, leader epoch and ISR as the controller last wrote them. <see cref="PartitionEpoch"/> is the
/// state znode's zk version: every write is conditional on it.
/// </summary>
public sealed record LeaderAndIsr(
    int Leader,
    int LeaderEpoch,
    IReadOnlyList<int> Isr,
    LeaderRecoveryState LeaderRecoveryState = LeaderRecoveryState.Recovered,
    int PartitionEpoch = 0)
{
    /// <summary>Leader id of a partition without a leader.</summary>
    public const int NoLeader = -1;
}
