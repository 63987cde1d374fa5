namespace Gregor.Bench.Compare.Reporting;

/// <summary>Fills each row's Gregor ÷ this ratio within its workload.</summary>
public static class Ratios
{
    public static void Fill(IReadOnlyList<Row> rows)
    {
        foreach (var group in rows.GroupBy(r => r.Workload))
        {
            var gregor = group.FirstOrDefault(r => r.System == "Gregor" && r.Error is null);
            if (gregor is null)
            {
                continue;
            }
            // Rows of Gregor read by another client (kcat) are Gregor too: no ratio against itself.
            foreach (var row in group.Where(r => r.Error is null && !r.System.StartsWith("Gregor", StringComparison.Ordinal)))
            {
                row.Ratio = group.Key switch
                {
                    Workloads.Latency => row.Latency is { P99: > 0 } l ? gregor.Latency!.P99 / l.P99 : null,
                    Workloads.Idle => row.PeakRssMB > 0 ? gregor.PeakRssMB / row.PeakRssMB : null,
                    _ => row.MBps > 0 ? gregor.MBps / row.MBps : null,
                };
            }
        }
    }
}
