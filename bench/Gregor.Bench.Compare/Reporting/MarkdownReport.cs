using System.Globalization;
using System.Text;

namespace Gregor.Bench.Compare.Reporting;

/// <summary>The results as markdown: header, machine limits, the system × workload table, the targets.</summary>
public static class MarkdownReport
{
    public static string Write(Report report)
    {
        var o = report.Options;
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Run {report.Date:yyyy-MM-dd HH:mm} UTC on {report.Machine}; `{report.Command}`{(o.Quick ? " (quick: a tenth of the sizes)" : "")}.");
        s.AppendLine(CultureInfo.InvariantCulture, $"{report.Versions}. Each workload repeated {o.Repeats}× (at rest: once): median (min–max).");
        s.AppendLine();
        var l = report.Limits;
        s.AppendLine("| Machine limit | MB/s |");
        s.AppendLine("| --- | ---: |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| sequential file write (page cache) | {l.FileWriteMBps:N0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| sequential file write incl. final fsync | {l.FileWriteFsyncMBps:N0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| sequential file read (page cache) | {l.FileReadMBps:N0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| loopback TCP, process to process | {l.LoopbackMBps:N0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| loopback + file write, one after the other | {l.LoopbackPlusWriteMBps:N0} |");
        s.AppendLine(CultureInfo.InvariantCulture, $"| file read + loopback, one after the other | {l.ReadPlusLoopbackMBps:N0} |");
        s.AppendLine();
        s.AppendLine("| Workload | System | Durability | Records/s median (min–max) | MB/s | Latency ms p50 / p99 / p99.9 / max | Server CPU s per M records | Client CPU s per M records | Server peak RSS MB | Gregor ÷ this |");
        s.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in report.Rows)
        {
            if (r.Error is not null)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {r.Workload} | {r.System} | {r.Durability} | n/a: {Escape(r.Error)} | | | | | | |");
                continue;
            }
            var idle = r.Workload == Workloads.Idle;
            var rate = idle ? Escape(r.Note ?? "") : $"{r.RecordsPerSecond:N0} ({r.RecordsPerSecondMin:N0}–{r.RecordsPerSecondMax:N0})";
            var latency = r.Latency is { } p ? $"{p.P50:N2} / {p.P99:N2} / {p.P999:N2} / {p.Max:N1}" : "";
            var cpu = r.CpuPerMillion is { } c ? c.ToString("N2", CultureInfo.InvariantCulture) : "";
            var clientCpu = r.ClientCpuPerMillion is { } cc ? cc.ToString("N2", CultureInfo.InvariantCulture) : "";
            var rss = r.PeakRssMB > 0 ? r.PeakRssMB.ToString("N0", CultureInfo.InvariantCulture) : "";
            var ratio = r.Ratio is { } x ? x.ToString("N2", CultureInfo.InvariantCulture) + "×" : "";
            s.AppendLine(CultureInfo.InvariantCulture, $"| {r.Workload} | {r.System} | {r.Durability} | {rate} | {(idle ? "" : r.MBps.ToString("N1", CultureInfo.InvariantCulture))} | {latency} | {cpu} | {clientCpu} | {rss} | {ratio} |");
        }
        s.AppendLine();
        s.AppendLine("| Target | Measured | Verdict |");
        s.AppendLine("| --- | --- | --- |");
        foreach (var t in report.Targets)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {Escape(t.Goal)} | {Escape(t.Figure)} | {t.Verdict} |");
        }
        return s.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
