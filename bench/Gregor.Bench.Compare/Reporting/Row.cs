namespace Gregor.Bench.Compare.Reporting;

/// <summary>
/// One line of the results table: a workload on a system, summarised over its repetitions.
/// Throughput is the median with min and max; CPU per million records is the median; peak RSS is
/// the largest seen; latency percentiles are the medians of each run's percentile.
/// Ratio is Gregor's figure divided by this row's (throughput: MB/s, higher is better for Gregor
/// when above 1; latency: p99, lower is better for Gregor when below 1; at rest: RSS).
/// </summary>
public sealed record Row(
    string Workload,
    string System,
    string Durability,
    int Runs,
    double RecordsPerSecond,
    double RecordsPerSecondMin,
    double RecordsPerSecondMax,
    double MBps,
    double? CpuPerMillion,
    double PeakRssMB,
    Percentiles? Latency,
    string? Note)
{
    public double? Ratio { get; set; }

    public string? Error { get; init; }

    /// <summary>Median CPU seconds per million records of the benchmark's own process (the client).</summary>
    public double? ClientCpuPerMillion { get; init; }

    public static Row From(IReadOnlyList<RunResult> runs, string durability)
    {
        var first = runs[0];
        var rates = runs.Select(r => r.RecordsPerSecond).Order().ToArray();
        Percentiles? latency = null;
        if (runs.All(r => r.Latency is not null))
        {
            latency = new Percentiles(
                Median(runs.Select(r => r.Latency!.P50)),
                Median(runs.Select(r => r.Latency!.P99)),
                Median(runs.Select(r => r.Latency!.P999)),
                runs.Max(r => r.Latency!.Max));
        }
        return new Row(
            first.Workload,
            first.System,
            durability,
            runs.Count,
            Median(rates),
            rates[0],
            rates[^1],
            Median(runs.Select(r => r.MBps)),
            first.Records == 0 ? null : Median(runs.Select(r => r.CpuPerMillion)),
            runs.Max(r => r.PeakRssBytes) / 1e6,
            latency,
            first.Note)
        {
            ClientCpuPerMillion = first.Records == 0 ? null : Median(runs.Select(r => r.ClientCpuPerMillion)),
        };
    }

    public static Row Failed(string workload, string system, string durability, string error) =>
        new(workload, system, durability, 0, 0, 0, 0, 0, null, 0, null, null) { Error = error };

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
