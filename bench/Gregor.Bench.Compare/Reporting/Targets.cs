using Gregor.Bench.Compare.Machine;

namespace Gregor.Bench.Compare.Reporting;

/// <summary>Checks the targets against the rows. Comparisons use the strictest competitor row.</summary>
public static class Targets
{
    private const string Gregor = "Gregor";

    public static List<Target> Evaluate(IReadOnlyList<Row> rows, MachineLimits limits)
    {
        Row? Find(string workload, string system) => rows.FirstOrDefault(r => r.Workload == workload && r.System == system && r.Error is null);
        IEnumerable<Row> Others(string workload, string systemPrefix) => rows.Where(r => r.Workload == workload && r.Error is null && r.System.StartsWith(systemPrefix, StringComparison.Ordinal));
        static string Rate(double v) => $"{v:N0} records/s";

        var targets = new List<Target>();
        var produce = Find(Workloads.Produce100, Gregor);
        targets.Add(produce is null
            ? new("100 B, acks=1: ≥ 1,000,000 records/s", "not measured", null)
            : new("100 B, acks=1: ≥ 1,000,000 records/s", Rate(produce.RecordsPerSecond), produce.RecordsPerSecond >= 1_000_000));

        var redis = Others(Workloads.Produce100, "Redis").Concat(Others(Workloads.Produce100, "redis-benchmark")).MaxBy(r => r.RecordsPerSecond);
        targets.Add(produce is null || redis is null
            ? new("100 B, acks=1: ≥ 2× Redis Streams", "not measured", null)
            : new("100 B, acks=1: ≥ 2× Redis Streams (fastest Redis row)", $"{produce.RecordsPerSecond / redis.RecordsPerSecond:N2}× ({redis.System}: {Rate(redis.RecordsPerSecond)})", produce.RecordsPerSecond >= 2 * redis.RecordsPerSecond));

        var nats = Others(Workloads.Produce100, "NATS").MaxBy(r => r.RecordsPerSecond);
        targets.Add(produce is null || nats is null
            ? new("100 B, acks=1: ≥ 3× NATS JetStream", "not measured", null)
            : new("100 B, acks=1: ≥ 3× NATS JetStream", $"{produce.RecordsPerSecond / nats.RecordsPerSecond:N2}× ({Rate(nats.RecordsPerSecond)})", produce.RecordsPerSecond >= 3 * nats.RecordsPerSecond));

        var redisCpu = Others(Workloads.Produce100, "Redis").Concat(Others(Workloads.Produce100, "redis-benchmark"))
            .Where(r => r.CpuPerMillion > 0).MinBy(r => r.CpuPerMillion);
        targets.Add(produce?.CpuPerMillion is not { } gregorCpu || redisCpu?.CpuPerMillion is not { } cpu
            ? new("CPU per million 100 B records ≤ 1/4 of redis-server's", "not measured", null)
            : new("CPU per million 100 B records ≤ 1/4 of redis-server's (its most frugal row)", $"{gregorCpu:N2} s vs {cpu:N2} s ({redisCpu!.System}): {gregorCpu / cpu:N2}×", gregorCpu <= cpu / 4));

        // Gregor is read by two clients (Confluent.Kafka, and kcat on librdkafka's C API): the faster counts, named.
        var consume = Others(Workloads.Consume1, Gregor).MaxBy(r => r.RecordsPerSecond);
        targets.Add(consume is null
            ? new("one consumer: ≥ 2,000,000 records/s", "not measured", null)
            : new("one consumer: ≥ 2,000,000 records/s (fastest client)", $"{Rate(consume.RecordsPerSecond)} ({consume.System})", consume.RecordsPerSecond >= 2_000_000));

        var large = Find(Workloads.Produce1K, Gregor);
        targets.Add(large is null
            ? new("1 KiB: ≥ 50% of loopback-plus-file-write", "not measured", null)
            : new("1 KiB: ≥ 50% of loopback-plus-file-write", $"{large.MBps:N0} MB/s = {large.MBps / limits.LoopbackPlusWriteMBps:P0} of {limits.LoopbackPlusWriteMBps:N0} MB/s", large.MBps >= limits.LoopbackPlusWriteMBps / 2));

        var latency = Find(Workloads.Latency, Gregor)?.Latency;
        targets.Add(latency is null
            ? new("latency at 10,000/s: p99 ≤ 5 ms, p99.9 ≤ 15 ms", "not measured", null)
            : new("latency at 10,000/s: p99 ≤ 5 ms, p99.9 ≤ 15 ms", $"p99 {latency.P99:N2} ms, p99.9 {latency.P999:N2} ms", latency.P99 <= 5 && latency.P999 <= 15));

        targets.Add(produce is null
            ? new("RSS ≤ 200 MB during the 100 B produce", "not measured", null)
            : new("RSS ≤ 200 MB during the 100 B produce", $"{produce.PeakRssMB:N0} MB peak", produce.PeakRssMB <= 200));

        var idle = Find(Workloads.Idle, Gregor);
        targets.Add(idle is null
            ? new("RSS ≤ 150 MB at rest with 1,000 partitions and 1,000 connections", "not measured", null)
            : new("RSS ≤ 150 MB at rest with 1,000 partitions and 1,000 connections", $"{idle.PeakRssMB:N0} MB ({idle.Note})", idle.PeakRssMB <= 150));
        return targets;
    }
}
