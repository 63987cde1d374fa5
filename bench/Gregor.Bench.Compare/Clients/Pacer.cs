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

    /// <summary>
    /// Before timing: sends warm-up records (stamp 0) every 50 ms until the consumer has received
    /// one, so that connecting and the consumer's first fetch are not counted as latency. Bounded: 30 s.
    /// </summary>
    public static async Task WarmUpAsync(int size, Func<byte[], ValueTask> send, Task consumerReady)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!consumerReady.IsCompleted && DateTime.UtcNow < deadline)
        {
            await send(new byte[size]);
            await Task.WhenAny(consumerReady, Task.Delay(50));
        }
        if (!consumerReady.IsCompleted)
        {
            throw new TimeoutException("the latency consumer received no warm-up record in 30 s");
        }
    }

    /// <summary>True for a warm-up record, which the consumer skips (and which tells it it is ready).</summary>
    public static bool IsWarmUp(ReadOnlySpan<byte> value) => Unsafe.ReadUnaligned<long>(ref Unsafe.AsRef(in value[0])) == 0;

    /// <summary>Microseconds from the stamp in <paramref name="value"/> to now.</summary>
    public static long MicrosecondsSince(ReadOnlySpan<byte> value)
    {
        var stamp = Unsafe.ReadUnaligned<long>(ref Unsafe.AsRef(in value[0]));
        return (long)Stopwatch.GetElapsedTime(stamp).TotalMicroseconds;
    }

    public static long Expected(int rate, TimeSpan duration) => (long)(rate * duration.TotalSeconds);
}
