using Gregor.Broker.Partitions;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Replication;

/// <summary>
/// Kafka's isr-expiration task: every half replica.lag.time.max.ms, each partition led here
/// proposes to drop the followers that have not caught up within replica.lag.time.max.ms (see
/// <see cref="Partition.MaybeShrinkIsr"/>). Runs on <see cref="TimeProvider"/> timers, so a fake
/// clock drives it in tests.
/// </summary>
public sealed class IsrShrinker : IDisposable
{
    private readonly Func<IEnumerable<Partition>> _partitions;
    private readonly IIsrChangeSender _sender;
    private readonly long _replicaLagTimeMaxMs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ITimer? _timer;

    public IsrShrinker(Func<IEnumerable<Partition>> partitions, IIsrChangeSender sender, long replicaLagTimeMaxMs, TimeProvider time, ILogger logger)
    {
        _partitions = partitions;
        _sender = sender;
        _replicaLagTimeMaxMs = Math.Max(1, replicaLagTimeMaxMs);
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts the periodic check (every half of replica.lag.time.max.ms).</summary>
    public void Start()
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(1, _replicaLagTimeMaxMs / 2));
        _timer ??= _time.CreateTimer(_ => RunOnce(), null, period, period);
    }

    /// <summary>One check over the partitions led here; returns how many proposed a smaller ISR.</summary>
    public int RunOnce()
    {
        var proposed = 0;
        try
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var partition in _partitions())
            {
                if (!partition.IsLeader)
                {
                    continue;
                }
                partition.ReplicaLagTimeMaxMs = _replicaLagTimeMaxMs;
                if (partition.MaybeShrinkIsr(now, _sender) is not null)
                {
                    proposed++;
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "ISR expiry check failed");
        }
        return proposed;
    }

    public void Dispose() => _timer?.Dispose();
}
