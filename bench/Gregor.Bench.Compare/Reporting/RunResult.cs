namespace Gregor.Bench.Compare.Reporting;

/// <summary>Latency percentiles of one run, in milliseconds, from send to receipt by the consumer.</summary>
public sealed record Percentiles(double P50, double P99, double P999, double Max);

/// <summary>
/// One timed repetition of a workload against a system.
/// Seconds: wall time of the work. CpuSeconds: the server process's user+system CPU in that time.
/// PeakRssBytes: the server's peak resident set during it (VmHWM reset before the run).
/// </summary>
public sealed record RunResult(
    string Workload,
    string System,
    long Records,
    long Bytes,
    double Seconds,
    double CpuSeconds,
    long PeakRssBytes,
    Percentiles? Latency = null,
    string? Note = null)
{
    /// <summary>CPU seconds of the benchmark process itself (the client side) in the same time.</summary>
    public double ClientCpuSeconds { get; init; }

    /// <summary>Client CPU seconds per million records: where the time goes when the server is idle.</summary>
    public double ClientCpuPerMillion => Records == 0 ? 0 : ClientCpuSeconds / Records * 1e6;

    public double RecordsPerSecond => Records / Seconds;

    public double MBps => Bytes / Seconds / 1e6;

    /// <summary>Server CPU seconds spent per million records of this run.</summary>
    public double CpuPerMillion => Records == 0 ? 0 : CpuSeconds / Records * 1e6;
}
