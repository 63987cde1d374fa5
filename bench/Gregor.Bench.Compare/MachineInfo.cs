using System.Diagnostics;

namespace Gregor.Bench.Compare;

/// <summary>What the run was on: CPU count and model, OS, and the servers' versions.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
            : null;
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / (1024 * 1024)
            : 0;
        return $"{Environment.ProcessorCount}-core {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()} ({model ?? "unknown CPU"}), {memory} GiB RAM, {os ?? Environment.OSVersion.ToString()}";
    }

    public static string Versions() =>
        $".NET {Environment.Version}; {FirstLine("redis-server", "--version")}; {FirstLine("nats-server", "--version")}; Confluent.Kafka {Confluent.Kafka.Library.VersionString} (librdkafka)";

    private static string FirstLine(string file, string arg)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(file, arg) { RedirectStandardOutput = true, UseShellExecute = false });
            var line = p?.StandardOutput.ReadLine() ?? "?";
            p?.WaitForExit();
            return line.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return file + " missing";
        }
    }
}
