using ScottPlot;

namespace Gregor.Bench.Compare.Reporting;

/// <summary>
/// A PNG with two panels: median throughput (MB/s) per workload and system, with the machine's
/// limit beside it; and Gregor's and the others' latency percentiles at 10,000 records/s.
/// </summary>
public static class ChartWriter
{
    private static readonly string[] ThroughputWorkloads = [Workloads.Produce100, Workloads.Produce100All, Workloads.Produce1K, Workloads.Consume1, Workloads.ConsumeGroup];

    public static void Write(Report report, string path)
    {
        var ok = report.Rows.Where(r => r.Error is null).ToList();
        // The machine's limit is an order of magnitude above every server; it goes in the title, not as a bar.
        var systems = ok.Where(r => r.Workload != Workloads.Idle && r.System != "machine limit").Select(r => r.System).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();

        var multiplot = new Multiplot();
        var throughput = multiplot.GetPlot(0);
        throughput.Title($"Throughput, median MB/s (machine: loopback + file write {report.Limits.LoopbackPlusWriteMBps:N0} MB/s)");
        var ticks = new List<Tick>();
        var slot = systems.Count + 1;
        for (var w = 0; w < ThroughputWorkloads.Length; w++)
        {
            for (var i = 0; i < systems.Count; i++)
            {
                var row = ok.FirstOrDefault(r => r.Workload == ThroughputWorkloads[w] && r.System == systems[i]);
                if (row is null)
                {
                    continue;
                }
                throughput.Add.Bar(new Bar { Position = (w * slot) + i, Value = row.MBps, FillColor = palette.GetColor(i) });
            }
            ticks.Add(new Tick((w * slot) + ((systems.Count - 1) / 2.0), ThroughputWorkloads[w].Replace(", ", "\n", StringComparison.Ordinal)));
        }
        throughput.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        throughput.Axes.Margins(bottom: 0);
        for (var i = 0; i < systems.Count; i++)
        {
            throughput.Legend.ManualItems.Add(new LegendItem { LabelText = systems[i], FillColor = palette.GetColor(i) });
        }
        throughput.ShowLegend(Alignment.UpperRight);

        var latency = multiplot.AddPlot();
        latency.Title("Latency at 10,000 records/s, ms (median of runs)");
        var latencyRows = ok.Where(r => r.Workload == Workloads.Latency && r.Latency is not null).ToList();
        string[] names = ["p50", "p99", "p99.9"];
        var latencyTicks = new List<Tick>();
        for (var p = 0; p < names.Length; p++)
        {
            for (var i = 0; i < latencyRows.Count; i++)
            {
                var l = latencyRows[i].Latency!;
                var value = p switch { 0 => l.P50, 1 => l.P99, _ => l.P999 };
                latency.Add.Bar(new Bar { Position = (p * (latencyRows.Count + 1)) + i, Value = value, FillColor = palette.GetColor(systems.IndexOf(latencyRows[i].System)) });
            }
            latencyTicks.Add(new Tick((p * (latencyRows.Count + 1)) + ((latencyRows.Count - 1) / 2.0), names[p]));
        }
        latency.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. latencyTicks]);
        latency.Axes.Margins(bottom: 0);
        foreach (var row in latencyRows)
        {
            latency.Legend.ManualItems.Add(new LegendItem { LabelText = row.System, FillColor = palette.GetColor(systems.IndexOf(row.System)) });
        }
        latency.ShowLegend(Alignment.UpperLeft);

        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        multiplot.SavePng(path, 1800, 700);
    }
}
