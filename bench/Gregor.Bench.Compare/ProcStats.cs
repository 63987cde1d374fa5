using System.Globalization;

namespace Gregor.Bench.Compare;

/// <summary>
/// A server process's resource use read from /proc: CPU seconds (user + system, fields 14 and 15
/// of /proc/PID/stat, in clock ticks of 1/100 s), resident set size and its peak (VmRSS, VmHWM).
/// </summary>
public static class ProcStats
{
    /// <summary>Clock ticks per second (USER_HZ); 100 on every Linux of the last two decades.</summary>
    private const double TicksPerSecond = 100.0;

    /// <summary>User plus system CPU seconds the process has used since it started.</summary>
    public static double CpuSeconds(int pid) => StatTicks(pid, 14, 15) / TicksPerSecond;

    /// <summary>
    /// User plus system CPU seconds of the process's children that have exited and been waited
    /// for (cutime and cstime, fields 16 and 17): how a client run as a child process (kcat,
    /// redis-benchmark) is charged to the benchmark process.
    /// </summary>
    public static double ChildrenCpuSeconds(int pid) => StatTicks(pid, 16, 17) / TicksPerSecond;

    private static long StatTicks(int pid, int field, int otherField)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        // fields[0] is then field 3 (state), so field n is fields[n - 3].
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[field - 3], CultureInfo.InvariantCulture) + long.Parse(fields[otherField - 3], CultureInfo.InvariantCulture);
    }

    /// <summary>Resident set size now, in bytes.</summary>
    public static long RssBytes(int pid) => StatusKiB(pid, "VmRSS:") * 1024;

    /// <summary>Peak resident set size since start or since the last <see cref="TryResetPeak"/>, in bytes.</summary>
    public static long PeakRssBytes(int pid) => StatusKiB(pid, "VmHWM:") * 1024;

    /// <summary>Resets VmHWM to the current RSS (writing 5 to /proc/PID/clear_refs, Linux ≥ 4.0).</summary>
    public static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long StatusKiB(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
