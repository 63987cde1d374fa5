namespace Gregor.Bench.Compare.Reporting;

/// <summary>One of the targets: what was asked, what was measured, and whether it was met (null: not measured).</summary>
public sealed record Target(string Goal, string Figure, bool? Met)
{
    public string Verdict => Met switch { true => "met", false => "**not met**", null => "n/a" };
}
