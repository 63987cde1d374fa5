using System.Text.RegularExpressions;

namespace Gregor.Tools;

/// <summary>
/// Reads librdkafka's connect failures ("… Connect to ipv4#127.0.0.1:1 failed: Connection refused
/// (after 0ms in state CONNECT)", "Failed to resolve 'h:9092': Name or service not known …") into
/// the short reason and the hint of the tool's one-line error.
/// </summary>
public static partial class ConnectFailure
{
    [GeneratedRegex(@"Connect to \S+ failed: (?<reason>.+?)(?: \(after \d+ms in state \w+\))?(?:, \d+ identical error\(s\) suppressed)?$")]
    private static partial Regex ConnectFailed();

    [GeneratedRegex(@"Failed to resolve '(?<address>[^']*)': (?<reason>.+?)(?: \(after \d+ms in state \w+\))?(?:, \d+ identical error\(s\) suppressed)?$")]
    private static partial Regex ResolveFailed();

    /// <summary>"connection refused", "host not found: …", or null when the log line is no connect failure.</summary>
    public static string? Reason(string? logLine)
    {
        if (logLine is null)
        {
            return null;
        }
        var connect = ConnectFailed().Match(logLine);
        if (connect.Success)
        {
            return Lower(connect.Groups["reason"].Value);
        }
        var resolve = ResolveFailed().Match(logLine);
        return resolve.Success ? "host not found: " + Lower(resolve.Groups["reason"].Value) : null;
    }

    /// <summary>The host:port a failed name resolution was for, or null (no such failure in the line).</summary>
    public static string? UnresolvedAddress(string? logLine)
    {
        var resolve = logLine is null ? null : ResolveFailed().Match(logLine);
        return resolve is { Success: true } ? resolve.Groups["address"].Value : null;
    }

    /// <summary>
    /// The one-line error when the failed broker is not one the user gave: the cluster answered
    /// through <paramref name="bootstrap"/> but advertises an address that cannot be reached.
    /// </summary>
    public static string AdvertisedMessage(string bootstrap, string address, string reason) =>
        $"{bootstrap} answers, but the cluster advertises a broker at {address} ({reason}), which cannot be reached — check the brokers' advertised.listeners";

    /// <summary>The one-line error: <c>cannot reach localhost:9092 (connection refused) — is the broker running?</c></summary>
    public static string Message(string bootstrap, string reason) =>
        $"cannot reach {bootstrap} ({reason}) — " + (reason.StartsWith("host not found", StringComparison.Ordinal)
            ? "is the host name right?"
            : "is the broker running?");

    private static string Lower(string text) => text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];
}
