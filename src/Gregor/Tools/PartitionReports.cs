using System.CommandLine;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// kafka-topics.sh --describe's partition health reports. Given any, describe prints only the
/// partitions that at least one of them selects, and no topic lines. Each is computed from the
/// partition's leader, replicas and ISR as the cluster reports them; on a single node with the
/// default min.insync.replicas=1 every partition is at its minimum ISR and none is in the other three.
/// </summary>
public sealed class PartitionReports
{
    public Option<bool> UnderReplicated { get; } = new("--under-replicated-partitions")
    {
        Description = "With --describe: only the partitions whose ISR is smaller than their replica set.",
    };

    public Option<bool> UnderMinIsr { get; } = new("--under-min-isr-partitions")
    {
        Description = "With --describe: only the partitions without a leader or whose ISR is smaller than min.insync.replicas.",
    };

    public Option<bool> AtMinIsr { get; } = new("--at-min-isr-partitions")
    {
        Description = "With --describe: only the partitions whose ISR is exactly min.insync.replicas.",
    };

    public Option<bool> Unavailable { get; } = new("--unavailable-partitions")
    {
        Description = "With --describe: only the partitions without a leader or whose leader is not a live broker.",
    };

    public IEnumerable<Option<bool>> All => [UnderReplicated, UnderMinIsr, AtMinIsr, Unavailable];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    public Selection Read(ParseResult parse) =>
        new(parse.GetValue(UnderReplicated), parse.GetValue(UnderMinIsr), parse.GetValue(AtMinIsr), parse.GetValue(Unavailable));

    /// <summary>The reports asked for.</summary>
    public sealed record Selection(bool UnderReplicated, bool UnderMinIsr, bool AtMinIsr, bool Unavailable)
    {
        public bool Any => UnderReplicated || UnderMinIsr || AtMinIsr || Unavailable;

        public bool Selects(TopicPartitionInfo partition, int minIsr, IReadOnlySet<int> liveBrokers)
        {
            var leaderless = partition.Leader is null;
            return (UnderReplicated && partition.Replicas.Count > partition.ISR.Count)
                || (UnderMinIsr && (leaderless || partition.ISR.Count < minIsr))
                || (AtMinIsr && partition.ISR.Count == minIsr)
                || (Unavailable && (leaderless || !liveBrokers.Contains(partition.Leader!.Id)));
        }
    }
}
