using Gregor.Bench.Compare.Machine;

namespace Gregor.Bench.Compare.Reporting;

/// <summary>Everything one run produced: written as markdown, JSON and a chart.</summary>
public sealed record Report(
    DateTimeOffset Date,
    string Machine,
    string Versions,
    string Command,
    BenchOptions Options,
    MachineLimits Limits,
    IReadOnlyList<Row> Rows,
    IReadOnlyList<Target> Targets,
    IReadOnlyList<RunResult> Runs);
