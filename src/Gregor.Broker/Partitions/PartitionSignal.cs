namespace Gregor.Broker.Partitions;

/// <summary>
/// A wake-up for waiters on one partition (parked fetches, acks=all produce): <see cref="Task"/>
/// completes at the next <see cref="Signal"/> after it was taken. A waiter takes the task first
/// and checks its condition after, so a signal in between is never missed. The task is swapped
/// atomically, and a signal allocates only when someone took the current task.
/// </summary>
internal sealed class PartitionSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _observed;

    public Task Task
    {
        get
        {
            Volatile.Write(ref _observed, 1);
            return Volatile.Read(ref _next).Task;
        }
    }

    public void Signal()
    {
        if (Interlocked.Exchange(ref _observed, 0) == 0)
        {
            return;
        }
        var previous = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
