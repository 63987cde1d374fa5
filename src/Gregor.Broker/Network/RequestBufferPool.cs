using System.Buffers;

namespace Gregor.Broker.Network;

/// <summary>
/// Where request frames are buffered, and the broker-wide bound on what large ones hold
/// (queued.max.request.bytes).
/// A frame of up to <see cref="PooledFrameBytes"/> is a rented array of the shared pool; a larger
/// one gets memory mapped for it alone and unmapped when it is given back, so what a big frame
/// took (or one cut short by a close) returns to the operating system at once instead of staying
/// in a pool. Pages are mapped on first touch, so a frame announced but not sent costs address
/// space, not memory.
/// Frames larger than <see cref="CountedFrameBytes"/> count against the bound from the moment
/// their size is known until they are given back; a frame that would pass it waits, in arrival
/// order, and its connection reads nothing meanwhile (TCP holds its client back), as Kafka mutes
/// a channel when its memory pool is exhausted. Smaller frames are not counted: they arrive
/// through the connection's own read buffer, which bounds them per connection already, and they
/// never wait behind a large one. A bound of 0 or less means no bound.
/// Thread-safe: shared by every connection of a listener; the bound's state is guarded by a lock.
/// </summary>
public sealed class RequestBufferPool
{
    /// <summary>Frames up to this size come from <see cref="ArrayPool{T}.Shared"/>.</summary>
    public const int PooledFrameBytes = 1024 * 1024;

    /// <summary>Frames larger than this count against the bound.</summary>
    public const int CountedFrameBytes = 64 * 1024;

    private readonly long _bound;
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _held;

    private sealed class Waiter(int size)
    {
        public int Size { get; } = size;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public RequestBufferPool(long bound)
    {
        _bound = bound;
    }

    /// <summary>Bytes of counted frames held now.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>A buffer of exactly <paramref name="size"/> bytes, once the bound has room for it.</summary>
    public async ValueTask<FrameBuffer> RentAsync(int size, CancellationToken cancellationToken)
    {
        var counted = _bound > 0 && size > CountedFrameBytes;
        if (counted)
        {
            await AcquireAsync(size, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return new FrameBuffer(size, counted ? this : null);
        }
        catch
        {
            if (counted)
            {
                Release(size);
            }
            throw;
        }
    }

    private async ValueTask AcquireAsync(int size, CancellationToken cancellationToken)
    {
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(size))
            {
                _held += size;
                return;
            }
            node = _waiters.AddLast(new Waiter(size));
        }
        using (cancellationToken.Register(() => Cancel(node, cancellationToken)))
        {
            await node.Value.Granted.Task.ConfigureAwait(false);
        }
    }

    /// <summary>A frame fits when the bound has room, or when nothing is held (a frame larger than the bound still gets read, alone).</summary>
    private bool Fits(int size) => _held == 0 || _held + size <= _bound;

    private void Cancel(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return; // granted already
            }
            _waiters.Remove(node);
            GrantWaiting();
        }
        node.Value.Granted.TrySetCanceled(cancellationToken);
    }

    internal void Release(int size)
    {
        lock (_lock)
        {
            _held -= size;
            GrantWaiting();
        }
    }

    /// <summary>Grants waiting frames in arrival order while they fit. Called under the lock.</summary>
    private void GrantWaiting()
    {
        while (_waiters.First is { } first && Fits(first.Value.Size))
        {
            _waiters.RemoveFirst();
            _held += first.Value.Size;
            first.Value.Granted.TrySetResult();
        }
    }
}
