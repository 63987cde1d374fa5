using System.Text.Json;

namespace Gregor.Bench.Compare.Reporting;

/// <summary>The same results as JSON: every row, every raw run, the limits and the targets.</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static string Write(Report report) => JsonSerializer.Serialize(report, Options);

    public static Report Read(string json) => JsonSerializer.Deserialize<Report>(json, Options) ?? throw new InvalidDataException("empty results JSON");
}
