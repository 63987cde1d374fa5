using System.Diagnostics;
using System.Globalization;

namespace Gregor.Tools;

/// <summary>
/// Throughput and latency bookkeeping of producer-perf-test, with Kafka's ProducerPerformance
/// output: a window line every <see cref="ReportInterval"/>
/// (<c>N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency.</c>) and a
/// final line adding the 50th/95th/99th/99.9th latency percentiles. MB is 1024*1024 bytes.
/// Latency is measured on a sample: every <see cref="Sampling"/>-th record (at most
/// <see cref="MaxSamples"/> of them, every record in runs that small) carries a delivery handler
/// whose latency feeds the averages, maxima and percentiles. A handler costs Confluent.Kafka
/// several allocations and a GCHandle per record, which on a whole run was most of the tool's
/// own time. Throughput counts every record: the window lines count records that left
/// librdkafka's queue, the final line those the cluster took.
/// Thread-safe: delivery reports arrive on the client's thread.
/// </summary>
public sealed class ProducerPerfStats
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(5);

    public const int MaxSamples = 20_000;

    private readonly Lock _lock = new();
    private readonly Action<string> _report;
    private readonly int _recordSize;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly int[] _samples;
    private int _sampleCount;
    private long _totalLatency;
    private int _maxLatency;
    private long _windowStart;
    private long _windowStartCompleted;
    private long _windowSamples;
    private long _windowTotalLatency;
    private int _windowMaxLatency;

    public ProducerPerfStats(long numRecords, int recordSize, Action<string> report)
    {
        _report = report;
        _recordSize = recordSize;
        var samples = Math.Min(Math.Max(numRecords, 1), MaxSamples);
        Sampling = Math.Max(1, numRecords / samples);
        _samples = new int[samples + 1];
        _windowStart = _start;
    }

    /// <summary>One record in this many carries a delivery handler and is timed.</summary>
    public long Sampling { get; }

    public bool IsSampled(long iteration) => iteration % Sampling == 0;

    /// <summary>Whether a window line is due (cheap; the caller then counts its completed records).</summary>
    public bool WindowDue => Stopwatch.GetElapsedTime(Volatile.Read(ref _windowStart)) >= ReportInterval;

    /// <summary>Records the latency in ms of one delivered sampled record.</summary>
    public void Sample(int latencyMs)
    {
        lock (_lock)
        {
            _totalLatency += latencyMs;
            _maxLatency = Math.Max(_maxLatency, latencyMs);
            _windowSamples++;
            _windowTotalLatency += latencyMs;
            _windowMaxLatency = Math.Max(_windowMaxLatency, latencyMs);
            if (_sampleCount < _samples.Length)
            {
                _samples[_sampleCount++] = latencyMs;
            }
        }
    }

    /// <summary>Prints the window line when one is due; <paramref name="completed"/>: records that left the client's queue so far.</summary>
    public void Progress(long completed)
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(_windowStart, now).TotalSeconds;
            if (seconds < ReportInterval.TotalSeconds)
            {
                return;
            }
            var count = completed - _windowStartCompleted;
            _report(string.Format(CultureInfo.InvariantCulture,
                "{0} records sent, {1:F1} records/sec ({2:F2} MB/sec), {3:F1} ms avg latency, {4:F1} ms max latency.",
                count, count / seconds, count * (double)_recordSize / seconds / (1024 * 1024),
                _windowTotalLatency / (double)Math.Max(_windowSamples, 1), (double)_windowMaxLatency));
            Volatile.Write(ref _windowStart, now);
            _windowStartCompleted = completed;
            _windowSamples = 0;
            _windowTotalLatency = 0;
            _windowMaxLatency = 0;
        }
    }

    /// <summary>The final figures for <paramref name="delivered"/> records the cluster took, over the whole run so far.</summary>
    public ProducerPerfResult Result(long delivered)
    {
        lock (_lock)
        {
            var seconds = Math.Max(Stopwatch.GetElapsedTime(_start).TotalSeconds, 1e-9);
            var sorted = _samples.AsSpan(0, _sampleCount).ToArray();
            Array.Sort(sorted);
            return new ProducerPerfResult(
                delivered, delivered / seconds, delivered * (double)_recordSize / seconds / (1024 * 1024),
                _totalLatency / (double)Math.Max(_sampleCount, 1), _maxLatency,
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
