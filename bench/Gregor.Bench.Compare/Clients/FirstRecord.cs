using System.Diagnostics;

namespace Gregor.Bench.Compare.Clients;

/// <summary>Notes when a consumer's first record arrived, so set-up time can be left out of throughput.</summary>
public sealed class FirstRecord
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _first;

    public void Seen()
    {
        if (Volatile.Read(ref _first) == 0)
        {
            Interlocked.CompareExchange(ref _first, Stopwatch.GetTimestamp(), 0);
        }
    }

    /// <summary>Time from construction to the first record (zero if none arrived).</summary>
    public TimeSpan Elapsed => _first == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_start, _first);
}
