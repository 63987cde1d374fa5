namespace Gregor.Broker.Config;

/// <summary>
/// The versions <c>message.format.version</c> and <c>log.message.format.version</c> accept: the
/// inter-broker protocol versions Kafka 3.9 knows. Kafka 3.0 deprecated both keys and ignores them
/// (the format is always v2), but still validates the value, so Gregor accepts exactly what Kafka
/// accepts and does nothing else with it.
/// <para>
/// A value names a release (<c>2.8</c>, <c>0.10.0</c>) or a release with an internal version
/// (<c>3.0-IV1</c>). Anything after the release's segments is ignored (<c>0.10.0.0</c> is
/// <c>0.10.0</c>, <c>2.8.1</c> is <c>2.8</c>); releases before 1.0 have three segments, later ones two.
/// A bare release is valid only for production releases (up to 3.9; 4.0 only with an internal version).
/// </para>
/// </summary>
public static class MessageFormatVersions
{
    // Release → its internal versions ("" for a release that has none), oldest first.
    private static readonly (string Release, string[] Internal)[] Table =
    [
        ("0.8.0", [""]), ("0.8.1", [""]), ("0.8.2", [""]), ("0.9.0", [""]),
        ("0.10.0", ["IV0", "IV1"]), ("0.10.1", ["IV0", "IV1", "IV2"]), ("0.10.2", ["IV0"]),
        ("0.11.0", ["IV0", "IV1", "IV2"]),
        ("1.0", ["IV0"]), ("1.1", ["IV0"]),
        ("2.0", ["IV0", "IV1"]), ("2.1", ["IV0", "IV1", "IV2"]), ("2.2", ["IV0", "IV1"]), ("2.3", ["IV0", "IV1"]),
        ("2.4", ["IV0", "IV1"]), ("2.5", ["IV0"]), ("2.6", ["IV0"]), ("2.7", ["IV0", "IV1", "IV2"]), ("2.8", ["IV0", "IV1"]),
        ("3.0", ["IV0", "IV1"]), ("3.1", ["IV0"]), ("3.2", ["IV0"]), ("3.3", ["IV0", "IV1", "IV2", "IV3"]), ("3.4", ["IV0"]),
        ("3.5", ["IV0", "IV1", "IV2"]), ("3.6", ["IV0", "IV1", "IV2"]), ("3.7", ["IV0", "IV1", "IV2", "IV3", "IV4"]),
        ("3.8", ["IV0"]), ("3.9", ["IV0"]),
        ("4.0", ["IV0", "IV1"]),
    ];

    // Releases after the latest production one are valid only with their internal version.
    private const string FirstNonProductionRelease = "4.0";

    private static readonly HashSet<string> Valid = BuildValid();

    /// <summary>Checks a value as Kafka's MetadataVersionValidator does.</summary>
    public static ConfigValidator Validator { get; } = ConfigValidator.Custom(
        v => IsValid((string)v) ? null : $"Version {v} is not a valid version",
        "[" + string.Join(", ", Table.SelectMany(t => t.Internal.Select(i => i.Length == 0 ? t.Release : $"{t.Release}-{i}"))) + "]");

    /// <summary>True when <paramref name="version"/> names a version Kafka 3.9 knows.</summary>
    public static bool IsValid(string version)
    {
        var segments = version.Split('.');
        var wanted = version.StartsWith("0.", StringComparison.Ordinal) ? 3 : 2;
        var key = wanted >= segments.Length ? version : string.Join('.', segments[..wanted]);
        return Valid.Contains(key);
    }

    private static HashSet<string> BuildValid()
    {
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var production = true;
        foreach (var (release, internals) in Table)
        {
            production &= release != FirstNonProductionRelease;
            foreach (var i in internals)
            {
                valid.Add(i.Length == 0 ? release : $"{release}-{i}");
            }
            if (production)
            {
                valid.Add(release);
            }
        }
        return valid;
    }
}
