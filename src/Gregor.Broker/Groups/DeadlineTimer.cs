namespace Gregor.Broker.Groups;

/// <summary>
/// A one-shot timer that can be moved. It is only a wake-up call: the deadline that decides what
/// happens lives in the group's state (read under the group's lock), so a callback that fires
/// late, early or after a reschedule just re-checks that state. Backed by the runtime's timer
/// queue (no thread or polling per timer).
/// </summary>
internal sealed class DeadlineTimer : IDisposable
{
    private readonly ITimer _timer;

    public DeadlineTimer(TimeProvider time, Action callback)
    {
        _timer = time.CreateTimer(static state => ((Action)state!)(), callback, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Schedule(long delayMs) =>
        _timer.Change(TimeSpan.FromMilliseconds(Math.Max(0, delayMs)), Timeout.InfiniteTimeSpan);

    public void Cancel() => _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    public void Dispose() => _timer.Dispose();
}
