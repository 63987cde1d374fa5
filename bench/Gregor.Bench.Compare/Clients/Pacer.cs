using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Gregor.Bench.Compare.Clients;

/// <summary>
/// Sends at a fixed rate: every millisecond it sends all records due by then, each stamped with
/// its actual send time (Stopwatch ticks in the first 8 bytes of the value). The consumer's latency
/// is receive time minus that stamp, so the pacer's own wake-up jitter is not counted.
/// </summary>
public static class Pacer
{
    public static async Task RunAsync(int rate, TimeSpan duration, int size, Func<byte[], ValueTask> send)
    {
        var total = (long)(rate * duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        // Bounded: the loop ends once all records are sent or twice the duration has passed.
        var deadline = start + (long)(2 * duration.TotalSeconds * Stopwatch.Frequency);
        while (sent < total && Stopwatch.GetTimestamp() < deadline)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            while (sent < due)
            {
                var value = new byte[size];
                Unsafe.WriteUnaligned(ref value[0], Stopwatch.GetTimestamp());
                await send(value);
                sent++;
            }
            await Task.Delay(1);
        }
    }

    /// <summary>Microseconds from the stamp in <paramref name="value"/> to now.</summary>
    public static long MicrosecondsSince(ReadOnlySpan<byte> value)
    {
        var stamp = Unsafe.ReadUnaligned<long>(ref Unsafe.AsRef(in value[0]));
        return (long)Stopwatch.GetElapsedTime(stamp).TotalMicroseconds;
    }

    public static long Expected(int rate, TimeSpan duration) => (long)(rate * duration.TotalSeconds);
}
