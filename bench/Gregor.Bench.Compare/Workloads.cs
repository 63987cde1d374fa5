namespace Gregor.Bench.Compare;

/// <summary>The workload names used as table rows, in table order.</summary>
public static class Workloads
{
    public const string Produce100 = "produce 100 B, acks=1";
    public const string Produce100All = "produce 100 B, acks=all";
    public const string Produce1K = "produce 1 KiB";
    public const string Consume1 = "consume 100 B, 1 consumer";
    public const string ConsumeGroup = "consume 100 B, group of 4";
    public const string Latency = "latency 100 B at 10,000/s";
    public const string Idle = "at rest: partitions + idle connections";

    public static readonly string[] Order = [Produce100, Produce100All, Produce1K, Consume1, ConsumeGroup, Latency, Idle];
}
