using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Gregor.Bench.Compare.Clients;

/// <summary>
/// kcat reading one partition from the start to its end: librdkafka driven from C, without the
/// .NET layer, as redis-benchmark is Redis's own C client. Records are not printed (empty
/// format); the run's time includes starting kcat and connecting, so it is counted against Gregor.
/// Completeness: kcat reports the offset at which it reached the end of the partition.
/// </summary>
public static partial class KcatConsumer
{
    public const string Name = "Gregor, read by kcat (librdkafka C)";

    [GeneratedRegex(@"Reached end of topic \S+ \[0\] at offset (\d+)")]
    private static partial Regex ReachedEnd();

    public static async Task ConsumeAsync(string bootstrap, string topic, long count)
    {
        using var process = Process.Start(new ProcessStartInfo("kcat",
        [
            "-b", bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "",
            // 4 MiB fetches and a deep local queue: faster for kcat than the Confluent.Kafka
            // consumer's 16 MiB fetches and 1 GiB queue (measured: ~2.25 s against ~2.6 s for
            // 5,000,000 records), which suit the slower .NET consume loop better.
            "-X", "max.partition.fetch.bytes=4194304", "-X", "queued.min.messages=1000000",
        ])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start kcat");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await stdout;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var end = ReachedEnd().Match(stderr);
        if (process.ExitCode != 0 || !end.Success || long.Parse(end.Groups[1].Value, CultureInfo.InvariantCulture) != count)
        {
            throw new InvalidOperationException($"kcat exited with {process.ExitCode} without reading {count} records: {stderr.Trim()}");
        }
    }
}
