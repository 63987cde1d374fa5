using System.Diagnostics;

namespace Gregor.Broker.Topics;

/// <summary>
/// How long an admin request (CreateTopics, CreatePartitions, DeleteTopics) waits for its changes
/// to be applied: its timeout_ms, counted from when the request is handled and shared by its topics
/// in turn. As in Kafka, timeout_ms ≤ 0 does not wait (<see cref="Remaining"/> is zero: answered at
/// once once written); a positive one never gives zero, so a topic handled after the deadline is
/// answered REQUEST_TIMED_OUT unless already applied.
/// </summary>
public sealed class AdminDeadline(int timeoutMs)
{
    private static readonly TimeSpan Least = TimeSpan.FromMilliseconds(1);
    private readonly long _start = Stopwatch.GetTimestamp();

    public TimeSpan Remaining
    {
        get
        {
            if (timeoutMs <= 0)
            {
                return TimeSpan.Zero;
            }
            var left = TimeSpan.FromMilliseconds(timeoutMs) - Stopwatch.GetElapsedTime(_start);
            return left > Least ? left : Least;
        }
    }
}
