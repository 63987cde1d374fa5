using System.Diagnostics;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// A dedicated thread that wakes every 5 ms and records the longest gap between wake-ups: when the
/// test process itself was not scheduled (a loaded machine, a GC pause), a timing sample measures the
/// test, not the broker, and says so. It also times how long a work item waits for a thread-pool
/// thread, since the test's socket continuations run there (a starved pool adds a thread only every
/// half second or so).
/// </summary>
internal sealed class StallDetector : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stopped;
    private long _maxGapTicks;

    public StallDetector()
    {
        _thread = new Thread(Run) { IsBackground = true, Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    /// <summary>The longest gap since the last <see cref="Reset"/>, in milliseconds.</summary>
    public double MaxGapMs => Interlocked.Read(ref _maxGapTicks) * 1000.0 / Stopwatch.Frequency;

    public void Reset() => Interlocked.Exchange(ref _maxGapTicks, 0);

    private void Run()
    {
        var last = Stopwatch.GetTimestamp();
        while (!_stopped)
        {
            Thread.Sleep(5);
            using (var ran = new ManualResetEventSlim())
            {
                ThreadPool.UnsafeQueueUserWorkItem(static e => e.Set(), ran, preferLocal: false);
                ran.Wait();
            }
            var now = Stopwatch.GetTimestamp();
            var gap = now - last;
            last = now;
            if (gap > Interlocked.Read(ref _maxGapTicks))
            {
                Interlocked.Exchange(ref _maxGapTicks, gap);
            }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }
}
