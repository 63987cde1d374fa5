using System.Text;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>
/// What a fault scenario found, replica by replica, against what the producer had acknowledged
/// and the consumer had seen. Every count must be 0 for the scenario to pass.
/// </summary>
public sealed record ReplicationReport
{
    public int Acknowledged { get; init; }

    /// <summary>Acknowledged values on no replica at all.</summary>
    public int Lost { get; init; }

    /// <summary>(replica, acknowledged record) pairs where the replica does not hold the record at its acknowledged offset.</summary>
    public int MissingOnReplicas { get; init; }

    /// <summary>Acknowledged values found on a replica at an offset other than the acknowledged one.</summary>
    public int Moved { get; init; }

    /// <summary>Extra copies of a value within one replica's log (summed over replicas).</summary>
    public int Duplicates { get; init; }

    /// <summary>(partition, offset) pairs where two replicas hold different values.</summary>
    public int Inconsistent { get; init; }

    /// <summary>Acknowledged values the consumer group never delivered.</summary>
    public int NotConsumed { get; init; }

    /// <summary>The first few problems, each saying which partition, replica and offset.</summary>
    public IReadOnlyList<string> Examples { get; init; } = [];

    public bool IsClean => Lost == 0 && MissingOnReplicas == 0 && Moved == 0 && Duplicates == 0 && Inconsistent == 0 && NotConsumed == 0;

    public override string ToString() =>
        $"acknowledged {Acknowledged}: lost {Lost}, missing on replicas {MissingOnReplicas}, moved {Moved}, duplicates {Duplicates}, " +
        $"inconsistent offsets {Inconsistent}, not consumed {NotConsumed}" +
        (Examples.Count == 0 ? "" : "\n  " + string.Join("\n  ", Examples));
}

/// <summary>
/// Reads every replica's log of the workload's topic from the brokers' log dirs (segment files,
/// see <see cref="ReplicaLogReader"/>) and compares them with the acknowledged records and with
/// each other.
/// </summary>
public static class ReplicationChecker
{
    private const int ExamplesPerKind = 4;

    /// <summary>The report as things are now: <paramref name="replicas"/> maps a broker id to its log dir.</summary>
    /// <param name="ackedSince">only records sent after it count (earlier ones went with a deleted topic, even when librdkafka
    /// reports them persisted later)</param>
    public static ReplicationReport Check(Workload workload, IReadOnlyDictionary<int, string> replicas, TimeSpan? ackedSince = null)
    {
        var acked = workload.Acked.Where(a => ackedSince is null || a.SentAt > ackedSince).ToList();
        var consumed = workload.Consumed.ToHashSet();
        var examples = new List<string>();
        var noted = new Dictionary<string, int>();
        void Note(string kind, string problem)
        {
            noted[kind] = noted.GetValueOrDefault(kind) + 1;
            if (noted[kind] <= ExamplesPerKind)
            {
                examples.Add($"{kind}: {problem}");
            }
        }

        int lost = 0, missing = 0, moved = 0, duplicates = 0, inconsistent = 0;
        for (var partition = 0; partition < workload.Partitions; partition++)
        {
            // broker id -> (offset -> value) and (value -> offsets) of this partition's replica
            var byOffset = new Dictionary<int, Dictionary<long, string?>>();
            var byValue = new Dictionary<int, Dictionary<string, List<long>>>();
            foreach (var (broker, logDir) in replicas)
            {
                var records = ReplicaLogReader.Read(logDir, workload.Topic, partition) ?? [];
                var offsets = new Dictionary<long, string?>();
                var values = new Dictionary<string, List<long>>();
                foreach (var r in records)
                {
                    offsets[r.Offset] = r.Value;
                    if (r.Value is not null)
                    {
                        (values.TryGetValue(r.Value, out var list) ? list : values[r.Value] = []).Add(r.Offset);
                    }
                }
                byOffset[broker] = offsets;
                byValue[broker] = values;
                foreach (var (value, at) in values.Where(v => v.Value.Count > 1))
                {
                    duplicates += at.Count - 1;
                    Note("duplicate", $"partition {partition} replica {broker}: {value} at offsets {string.Join(",", at)}");
                }
            }

            foreach (var a in acked.Where(a => a.Partition == partition))
            {
                var anywhere = false;
                foreach (var broker in replicas.Keys)
                {
                    if (byOffset[broker].TryGetValue(a.Offset, out var there) && there == a.Value)
                    {
                        anywhere = true;
                        continue;
                    }
                    // librdkafka acknowledges without an offset (-1001) a record of a batch whose
                    // answer was lost once a later batch of the same idempotent producer succeeds
                    // (the broker holds it, but the producer never learnt where): it is checked
                    // for presence, exactly once, not for its offset.
                    if (a.Offset < 0 && byValue[broker].TryGetValue(a.Value, out var unplaced) && unplaced.Count == 1)
                    {
                        anywhere = true;
                        continue;
                    }
                    missing++;
                    if (byValue[broker].TryGetValue(a.Value, out var elsewhere))
                    {
                        anywhere = true;
                        moved++;
                        Note("moved", $"partition {partition} replica {broker}: {a.Value} acknowledged at {a.Offset}, found at {string.Join(",", elsewhere)}");
                    }
                    else
                    {
                        Note("missing", $"partition {partition} replica {broker}: {a.Value} acknowledged at {a.Offset} is not there (offset holds {there ?? "nothing"})");
                    }
                }
                if (!anywhere)
                {
                    lost++;
                }
            }

            var allOffsets = byOffset.Values.SelectMany(o => o.Keys).Distinct().Order();
            foreach (var offset in allOffsets)
            {
                var held = byOffset.Where(r => r.Value.ContainsKey(offset)).Select(r => (Broker: r.Key, Value: r.Value[offset])).ToList();
                if (held.Select(h => h.Value).Distinct().Count() > 1)
                {
                    inconsistent++;
                    Note("inconsistent", $"partition {partition} offset {offset}: " + string.Join(", ", held.Select(h => $"replica {h.Broker} has {h.Value}")));
                }
            }
        }

        var notConsumed = acked.Where(a => !consumed.Contains(a.Value)).ToList();
        foreach (var a in notConsumed)
        {
            Note("not consumed", $"partition {a.Partition}: {a.Value} at {a.Offset} was acknowledged");
        }
        return new ReplicationReport
        {
            Acknowledged = acked.Count,
            Lost = lost,
            MissingOnReplicas = missing,
            Moved = moved,
            Duplicates = duplicates,
            Inconsistent = inconsistent,
            NotConsumed = notConsumed.Count,
            Examples = examples,
        };
    }

    /// <summary>
    /// Checks again until the report is clean or <paramref name="timeout"/> passes (followers and
    /// the consumer may still be catching up), and returns the last report.
    /// </summary>
    public static async Task<ReplicationReport> CheckUntilCleanAsync(Workload workload, IReadOnlyDictionary<int, string> replicas, TimeSpan timeout, TimeSpan? ackedSince = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ReplicationReport report;
            try
            {
                report = Check(workload, replicas, ackedSince);
            }
            catch (IOException e)
            {
                // A segment truncated or replaced while it was read: read again.
                report = new ReplicationReport { Examples = [$"reading the logs failed: {e.Message}"], Lost = -1 };
            }
            if (report.IsClean || DateTime.UtcNow > deadline)
            {
                return report;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>The report and what the clients said, for an assertion's message.</summary>
    public static string Describe(ReplicationReport report, Workload workload)
    {
        var text = new StringBuilder(report.ToString());
        var errors = workload.Errors;
        if (errors.Count > 0)
        {
            text.Append($"\nclient errors ({errors.Count}, first 10):\n  ").AppendJoin("\n  ", errors.Take(10));
        }
        return text.ToString();
    }
}
