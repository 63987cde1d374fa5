namespace Gregor.Broker.Groups;

/// <summary>
/// One stretch of the coordinator's ownership of a __consumer_offsets partition, from an election
/// to the resignation that ends it: <see cref="OffsetsPartitionState.Loading"/> (its groups answer
/// COORDINATOR_LOAD_IN_PROGRESS), then <see cref="OffsetsPartitionState.Owned"/> (served) or
/// <see cref="OffsetsPartitionState.Failed"/> (the stored state could not be read: its groups answer
/// COORDINATOR_NOT_AVAILABLE), and at last <see cref="OffsetsPartitionState.Unloaded"/>. Each group
/// belongs to the term that created or loaded it and stores records only between
/// <see cref="TryBeginWrite"/> and <see cref="EndWrite"/> of that term: a write begins only while
/// the term is Owned, and <see cref="Unload"/>'s task completes once every write begun has ended,
/// so nothing is appended for a term after its resignation completed.
/// Thread-safety: the state and the count of writes change under the term's own lock, which is
/// always taken last (never while taking another lock).
/// </summary>
internal sealed class OffsetsPartitionTerm(int partition, int? epoch)
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _unloading = new();
    private volatile OffsetsPartitionState _state = OffsetsPartitionState.Loading;
    private int _writes;

    public int Partition { get; } = partition;

    public int? Epoch { get; } = epoch;

    public OffsetsPartitionState State => _state;

    /// <summary>Cancelled by <see cref="Unload"/>: stops a load still running.</summary>
    public CancellationToken Unloading => _unloading.Token;

    /// <summary>Completes when the load ended (loaded, failed, or given up after a resignation).</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Loading → Owned; false when the term was unloaded meanwhile.</summary>
    public bool TryMarkOwned()
    {
        lock (_lock)
        {
            if (_state != OffsetsPartitionState.Loading)
            {
                return false;
            }
            _state = OffsetsPartitionState.Owned;
            return true;
        }
    }

    /// <summary>Loading → Failed (an unloaded term stays unloaded).</summary>
    public void MarkFailed()
    {
        lock (_lock)
        {
            if (_state == OffsetsPartitionState.Loading)
            {
                _state = OffsetsPartitionState.Failed;
            }
        }
    }

    public void LoadEnded() => _loaded.TrySetResult();

    public bool TryBeginWrite()
    {
        lock (_lock)
        {
            if (_state != OffsetsPartitionState.Owned)
            {
                return false;
            }
            _writes++;
            return true;
        }
    }

    public void EndWrite()
    {
        lock (_lock)
        {
            if (--_writes == 0 && _state == OffsetsPartitionState.Unloaded)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Ends the term: no write begins from now on, a running load stops. The task
    /// completes once the writes in flight have ended.</summary>
    public Task Unload()
    {
        lock (_lock)
        {
            _state = OffsetsPartitionState.Unloaded;
            if (_writes == 0)
            {
                _drained.TrySetResult();
            }
        }
        _unloading.Cancel();
        return _drained.Task;
    }
}

internal enum OffsetsPartitionState
{
    Loading,
    Owned,
    Failed,
    Unloaded,
}
