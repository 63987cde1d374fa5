using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Server;

/// <summary>
/// The process's open-files limit (RLIMIT_NOFILE). At start-up the soft limit is raised to the
/// hard limit, as a JVM started by kafka-server-start.sh gets it (-XX:+MaxFDLimit), and what the
/// partition logs may hold is that limit less a reserve (<see cref="ReserveFor"/>) for sockets,
/// the runtime's own files (assemblies opened late, /proc reads) and files opened only for a
/// moment (checkpoints, snapshots): running out of descriptors must fail a request, never kill
/// the process because it could not open an assembly.
/// </summary>
public static partial class OpenFilesLimit
{
    private const int RlimitNofile = 7; // Linux, every architecture .NET runs on
    private const ulong Infinity = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>
    /// Raises the soft limit to the hard limit (capped at fs.nr_open when the hard limit is
    /// unlimited) and logs both; returns the soft limit now in force, or null where there is no
    /// such limit to read (not Linux).
    /// </summary>
    public static long? RaiseSoftToHard(ILogger logger)
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitNofile, out var before) != 0)
        {
            return null;
        }
        var target = before.Maximum == Infinity ? ReadNrOpen() ?? before.Current : before.Maximum;
        var after = before;
        if (target > before.Current)
        {
            var raised = new RLimit { Current = target, Maximum = before.Maximum };
            if (setrlimit(RlimitNofile, in raised) == 0)
            {
                after = raised;
            }
            else
            {
                logger.LogWarning("open files: could not raise the soft limit {Soft} to {Target}: errno {Errno}", before.Current, target, Marshal.GetLastPInvokeError());
            }
        }
        logger.LogInformation("open files: soft {Before} → {After} (hard {Hard})", Show(before.Current), Show(after.Current), Show(before.Maximum));
        return after.Current == Infinity ? long.MaxValue : (long)Math.Min(after.Current, long.MaxValue);
    }

    /// <summary>
    /// Descriptors kept out of the partition logs' budget: a fifth of the limit, at least 256.
    /// With 1,024 that leaves 768 for segments; with 20,000, 16,000.
    /// </summary>
    public static long ReserveFor(long limit) => Math.Max(256, limit / 5);

    /// <summary>What the partition logs may hold under <paramref name="limit"/> (never negative).</summary>
    public static long ForLogs(long limit) => Math.Max(0, limit - ReserveFor(limit));

    private static string Show(ulong value) => value == Infinity ? "unlimited" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ulong? ReadNrOpen()
    {
        try
        {
            return ulong.TryParse(File.ReadAllText("/proc/sys/fs/nr_open").Trim(), out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
