using Gregor.Protocol.Wire;
using Gregor.Storage;
using Gregor.Storage.Producers;

namespace Gregor.Broker.Partitions;

/// <summary>
/// A partition this broker leads: its log, the leader epoch, and the signal that wakes fetches
/// parked on it. The log guards its own state, including its idempotent producers' state, which it
/// updates as it appends; <see cref="ProducerLock"/> is held from the sequence check of idempotent
/// batches through their append, so no other batch with a producer id reaches the log in between
/// and no check runs while the producer state changes. <see cref="_dataArrived"/> is swapped
/// atomically, so plain appends and parked fetches take no lock here.
/// </summary>
public sealed class Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int leaderEpoch)
{
    private TaskCompletionSource _dataArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _observed;

    public TopicPartition TopicPartition { get; } = topicPartition;

    public Uuid TopicId { get; } = topicId;

    public PartitionLog Log { get; } = log;

    public int LeaderEpoch { get; } = leaderEpoch;

    public ProducerStateManager Producers => Log.Producers;

    public SemaphoreSlim ProducerLock { get; } = new(1, 1);

    /// <summary>
    /// Completes at the next append after this call. A waiter takes this task first and checks
    /// for data after, so an append between the two is never missed.
    /// </summary>
    public Task DataArrived
    {
        get
        {
            Volatile.Write(ref _observed, 1);
            return Volatile.Read(ref _dataArrived).Task;
        }
    }

    /// <summary>Wakes every fetch parked on this partition; allocates only when one is parked.</summary>
    public void SignalDataArrived()
    {
        if (Interlocked.Exchange(ref _observed, 0) == 0)
        {
            return;
        }
        var previous = Interlocked.Exchange(ref _dataArrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
