using Gregor.Protocol.Errors;

namespace Gregor.Broker.Cluster;

/// <summary>
/// A broker's check of the controller requests it receives (LeaderAndIsr, UpdateMetadata,
/// StopReplica), as Kafka's: a request from a controller of an older epoch than the newest seen
/// is STALE_CONTROLLER_EPOCH (a deposed controller that woke up); a request addressed to an older
/// registration of this broker (its broker epoch, the czxid of its /brokers/ids node) is
/// STALE_BROKER_EPOCH. -1 as the broker epoch means the sender did not say, and passes.
/// </summary>
public sealed class ControllerFence
{
    private int _controllerEpoch = -1;
    private long _brokerEpoch = -1;

    /// <summary>The newest controller epoch seen.</summary>
    public int ControllerEpoch => Volatile.Read(ref _controllerEpoch);

    /// <summary>This broker's current epoch; set at each registration.</summary>
    public long BrokerEpoch
    {
        get => Interlocked.Read(ref _brokerEpoch);
        set => Interlocked.Exchange(ref _brokerEpoch, value);
    }

    /// <summary>Checks a request's epochs; on success, remembers its controller epoch as the newest.</summary>
    public ErrorCode Check(int controllerEpoch, long brokerEpoch)
    {
        var brokerNow = BrokerEpoch;
        if (brokerEpoch != -1 && brokerEpoch < brokerNow)
        {
            return ErrorCode.StaleBrokerEpoch;
        }
        while (true)
        {
            var seen = Volatile.Read(ref _controllerEpoch);
            if (controllerEpoch < seen)
            {
                return ErrorCode.StaleControllerEpoch;
            }
            if (controllerEpoch == seen || Interlocked.CompareExchange(ref _controllerEpoch, controllerEpoch, seen) == seen)
            {
                return ErrorCode.None;
            }
        }
    }
}
