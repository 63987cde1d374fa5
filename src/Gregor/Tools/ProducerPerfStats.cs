using System.Diagnostics;
using System.Globalization;

namespace Gregor.Tools;

/// <summary>
/// Throughput and latency bookkeeping of producer-perf-test, with Kafka's ProducerPerformance
/// output: a window line every <see cref="ReportInterval"/>
/// (<c>N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency.</c>) and a
/// final line adding the 50th/95th/99th/99.9th latency percentiles. MB is 1024*1024 bytes.
/// At most <see cref="MaxSamples"/> latencies are kept for percentiles, evenly sampled, as Kafka does.
/// Thread-safe: delivery reports arrive on the client's thread.
/// </summary>
public sealed class ProducerPerfStats
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    private const int MaxSamples = 500_000;

    private readonly Lock _lock = new();
    private readonly Action<string> _report;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly int[] _samples;
    private readonly long _sampling;
    private int _sampleCount;
    private long _count;
    private long _bytes;
    private long _totalLatency;
    private int _maxLatency;
    private long _windowStart;
    private long _windowCount;
    private long _windowBytes;
    private long _windowTotalLatency;
    private int _windowMaxLatency;

    public ProducerPerfStats(long numRecords, Action<string> report)
    {
        _report = report;
        _sampling = Math.Max(1, numRecords / Math.Min(Math.Max(numRecords, 1), MaxSamples));
        _samples = new int[(int)Math.Min(Math.Max(numRecords, 1), MaxSamples) + 1];
        _windowStart = _start;
    }

    /// <summary>Records one delivered record of <paramref name="bytes"/> and its latency in ms; the <paramref name="iteration"/>-th sent.</summary>
    public void Record(long iteration, int latencyMs, int bytes)
    {
        lock (_lock)
        {
            _count++;
            _bytes += bytes;
            _totalLatency += latencyMs;
            _maxLatency = Math.Max(_maxLatency, latencyMs);
            _windowCount++;
            _windowBytes += bytes;
            _windowTotalLatency += latencyMs;
            _windowMaxLatency = Math.Max(_windowMaxLatency, latencyMs);
            if (iteration % _sampling == 0 && _sampleCount < _samples.Length)
            {
                _samples[_sampleCount++] = latencyMs;
            }
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(_windowStart, now) >= ReportInterval)
            {
                var seconds = Stopwatch.GetElapsedTime(_windowStart, now).TotalSeconds;
                _report(string.Format(CultureInfo.InvariantCulture,
                    "{0} records sent, {1:F1} records/sec ({2:F2} MB/sec), {3:F1} ms avg latency, {4:F1} ms max latency.",
                    _windowCount, _windowCount / seconds, _windowBytes / seconds / (1024 * 1024),
                    _windowTotalLatency / (double)Math.Max(_windowCount, 1), (double)_windowMaxLatency));
                _windowStart = now;
                _windowCount = 0;
                _windowBytes = 0;
                _windowTotalLatency = 0;
                _windowMaxLatency = 0;
            }
        }
    }

    public ProducerPerfResult Result()
    {
        lock (_lock)
        {
            var seconds = Math.Max(Stopwatch.GetElapsedTime(_start).TotalSeconds, 1e-9);
            var sorted = _samples.AsSpan(0, _sampleCount).ToArray();
            Array.Sort(sorted);
            return new ProducerPerfResult(
                _count, _count / seconds, _bytes / seconds / (1024 * 1024),
                _totalLatency / (double)Math.Max(_count, 1), _maxLatency,
                Percentile(sorted, 0.5), Percentile(sorted, 0.95), Percentile(sorted, 0.99), Percentile(sorted, 0.999));
        }
    }

    private static int Percentile(int[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)(p * sorted.Length)];
}

/// <summary>The final figures; <see cref="ToString"/> is Kafka's final line.</summary>
public sealed record ProducerPerfResult(
    long Records, double RecordsPerSec, double MbPerSec, double AvgLatencyMs, int MaxLatencyMs,
    int P50LatencyMs, int P95LatencyMs, int P99LatencyMs, int P999LatencyMs)
{
    /// <summary>Records whose delivery failed (not counted in <see cref="Records"/>).</summary>
    public long Failed { get; init; }

    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "{0} records sent, {1:F6} records/sec ({2:F2} MB/sec), {3:F2} ms avg latency, {4:F2} ms max latency, {5} ms 50th, {6} ms 95th, {7} ms 99th, {8} ms 99.9th.",
        Records, RecordsPerSec, MbPerSec, AvgLatencyMs, (double)MaxLatencyMs, P50LatencyMs, P95LatencyMs, P99LatencyMs, P999LatencyMs);
}
