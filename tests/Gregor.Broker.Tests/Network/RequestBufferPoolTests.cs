using Gregor.Broker.Network;

namespace Gregor.Broker.Tests.Network;

/// <summary>
/// The pool hands out frame buffers of the exact size asked, bounds the bytes large frames hold
/// (queued.max.request.bytes), grants waiting frames in arrival order as memory comes back, and
/// lets a cancelled waiter go without losing its place's bytes.
/// </summary>
public sealed class RequestBufferPoolTests
{
    private const int KiB = 1024;

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(RequestBufferPool.PooledFrameBytes)]
    [InlineData(RequestBufferPool.PooledFrameBytes + 1)]
    [InlineData(5 * 1024 * KiB + 3)]
    public async Task A_buffer_has_the_size_asked_and_keeps_what_is_written(int size)
    {
        var pool = new RequestBufferPool(bound: 16 * 1024 * KiB);
        using var frame = await pool.RentAsync(size, CancellationToken.None);
        Assert.Equal(size, frame.Memory.Length);
        var random = new Random(size);
        var bytes = new byte[size];
        random.NextBytes(bytes);
        bytes.CopyTo(frame.Memory.Span);
        Assert.True(frame.Memory.Span.SequenceEqual(bytes));
    }

    [Fact]
    public async Task Large_frames_past_the_bound_wait_in_arrival_order_until_memory_comes_back()
    {
        var pool = new RequestBufferPool(bound: 1024 * KiB);
        var first = await pool.RentAsync(600 * KiB, CancellationToken.None);
        var second = pool.RentAsync(600 * KiB, CancellationToken.None).AsTask();
        var third = pool.RentAsync(300 * KiB, CancellationToken.None).AsTask();
        // Only a release grants a waiting frame, so nothing can have been granted yet.
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted, "a smaller frame that would fit must not overtake the one waiting before it");
        // Small frames are not counted and never wait.
        using (await pool.RentAsync(RequestBufferPool.CountedFrameBytes, CancellationToken.None))
        {
            Assert.Equal(600 * KiB, pool.HeldBytes);
        }

        first.Dispose();
        using var secondFrame = await second.WaitAsync(TimeSpan.FromSeconds(30));
        using var thirdFrame = await third.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(900 * KiB, pool.HeldBytes);
        first.Dispose(); // a second dispose gives nothing back twice
        Assert.Equal(900 * KiB, pool.HeldBytes);
    }

    [Fact]
    public async Task A_frame_larger_than_the_bound_is_read_alone()
    {
        var pool = new RequestBufferPool(bound: 512 * KiB);
        using var frame = await pool.RentAsync(2048 * KiB, CancellationToken.None);
        Assert.Equal(2048 * KiB, pool.HeldBytes);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_next_one_is_granted()
    {
        var pool = new RequestBufferPool(bound: 1024 * KiB);
        var first = await pool.RentAsync(800 * KiB, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var blocked = pool.RentAsync(900 * KiB, cancel.Token).AsTask();
        var behind = pool.RentAsync(200 * KiB, CancellationToken.None).AsTask();
        Assert.False(behind.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        using var behindFrame = await behind.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000 * KiB, pool.HeldBytes);
        first.Dispose();
        Assert.Equal(200 * KiB, pool.HeldBytes);
    }

    [Fact]
    public async Task Without_a_bound_nothing_waits()
    {
        var pool = new RequestBufferPool(bound: -1);
        using var a = await pool.RentAsync(900 * KiB, CancellationToken.None);
        using var b = await pool.RentAsync(900 * KiB, CancellationToken.None);
        Assert.Equal(0, pool.HeldBytes);
    }
}
