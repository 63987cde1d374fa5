using System.Globalization;

namespace Gregor.Bench.Compare;

/// <summary>Sizes of the workloads; --quick divides every size by ten.</summary>
public sealed record BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>Timed repetitions of each workload (median, min and max are reported).</summary>
    public int Repeats { get; init; } = 3;

    public long SmallRecords => Quick ? 500_000 : 5_000_000;

    public const int SmallSize = 100;

    public long LargeRecords => Quick ? 50_000 : 500_000;

    public const int LargeSize = 1024;

    public const int LatencyRate = 10_000;

    public TimeSpan LatencyDuration => TimeSpan.FromSeconds(Quick ? 3 : 30);

    public int IdlePartitions => Quick ? 100 : 1_000;

    public int IdleConnections => Quick ? 100 : 1_000;

    /// <summary>How long the at-rest workload waits after setting up, then how long it watches CPU.</summary>
    public TimeSpan IdleSettle => TimeSpan.FromSeconds(Quick ? 2 : 5);

    public TimeSpan IdleWatch => TimeSpan.FromSeconds(Quick ? 3 : 10);

    /// <summary>Bytes written and read (and sent over loopback) to measure the machine's limits.</summary>
    public long MachineBytes => Quick ? 256L << 20 : 1L << 30;

    /// <summary>Where the table, JSON and PNG go.</summary>
    public string OutDir { get; init; } = Path.Combine("bench", "results");

    /// <summary>Systems to run (all by default): gregor, redis, nats.</summary>
    public HashSet<string> Systems { get; init; } = ["gregor", "redis", "nats"];

    /// <summary>Runs only the workloads whose name contains this text (for profiling one workload).</summary>
    public string? Workload { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--repeats" => options with { Repeats = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--out" => options with { OutDir = args[++i] },
                "--workload" => options with { Workload = args[++i] },
                "--only" => options with { Systems = [.. args[++i].Split(',')] },
                _ => throw new ArgumentException($"unknown argument {args[i]}; usage: bench/run [--quick] [--repeats N] [--out DIR] [--only gregor,redis,nats] [--workload TEXT]"),
            };
        }
        return options;
    }
}
