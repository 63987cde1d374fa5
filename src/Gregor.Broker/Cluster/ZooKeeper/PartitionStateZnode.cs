namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>A partition state znode's content: the leader and ISR plus the epoch of the controller that wrote it.</summary>
public sealed record PartitionStateInfo(LeaderAndIsr LeaderAndIsr, int ControllerEpoch);

/// <summary>
/// /brokers/topics/&lt;t&gt;/partitions/&lt;p&gt;/state codec (TopicPartitionStateZNode), in Kafka's field order:
/// <c>{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2]}</c>, plus
/// <c>"leader_recovery_state":1</c> only while the leader is recovering.
/// </summary>
public static class PartitionStateZnode
{
    public static byte[] Encode(LeaderAndIsr state, int controllerEpoch) => ZnodeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("controller_epoch", controllerEpoch);
        w.WriteNumber("leader", state.Leader);
        w.WriteNumber("version", 1);
        w.WriteNumber("leader_epoch", state.LeaderEpoch);
        ZnodeJson.WriteIntArray(w, "isr", state.Isr);
        if (state.LeaderRecoveryState != LeaderRecoveryState.Recovered)
        {
            w.WriteNumber("leader_recovery_state", (int)state.LeaderRecoveryState);
        }
        w.WriteEndObject();
    });

    /// <param name="zkVersion">The state znode's version, which becomes the partition epoch.</param>
    public static ZnodeParseResult<PartitionStateInfo> Decode(ReadOnlySpan<byte> data, int zkVersion)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null)
        {
            return ZnodeParseResult<PartitionStateInfo>.Invalid(error!);
        }
        var root = document.RootElement;
        if (!ZnodeJson.TryGetInt(root, "version", out var version, out error)
            || !ZnodeJson.TryGetInt(root, "leader", out var leader, out error)
            || !ZnodeJson.TryGetInt(root, "leader_epoch", out var leaderEpoch, out error)
            || !ZnodeJson.TryGetInt(root, "controller_epoch", out var controllerEpoch, out error))
        {
            return ZnodeParseResult<PartitionStateInfo>.Invalid(error!);
        }
        if (version != 1)
        {
            return ZnodeParseResult<PartitionStateInfo>.Invalid($"unsupported partition state version {version}");
        }
        if (!root.TryGetProperty("isr", out var isrElement) || !ZnodeJson.TryGetIntArray(isrElement, "isr", out var isr, out error))
        {
            return ZnodeParseResult<PartitionStateInfo>.Invalid(error ?? "missing \"isr\"");
        }
        var recovery = LeaderRecoveryState.Recovered;
        if (root.TryGetProperty("leader_recovery_state", out _))
        {
            if (!ZnodeJson.TryGetInt(root, "leader_recovery_state", out var value, out error) || value is not (0 or 1))
            {
                return ZnodeParseResult<PartitionStateInfo>.Invalid(error ?? $"unknown leader_recovery_state {value}");
            }
            recovery = (LeaderRecoveryState)value;
        }
        return ZnodeParseResult<PartitionStateInfo>.Valid(
            new PartitionStateInfo(new LeaderAndIsr(leader, leaderEpoch, isr, recovery, zkVersion), controllerEpoch));
    }
}
