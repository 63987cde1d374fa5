using Gregor.Storage;

namespace Gregor.Broker.Cluster;

/// <summary>
/// Kafka's checkAndTriggerAutoLeaderRebalance, pure: partitions are grouped by their preferred
/// (first assigned) replica; a broker's imbalance ratio is the share of its group not led by it;
/// where the ratio exceeds <c>percentage</c>/100, the group's partitions not led by their
/// preferred replica are the candidates for a preferred leader election. Partitions with no
/// known leadership are left out of the candidates but count in the group.
/// </summary>
public static class LeaderImbalance
{
    public static IReadOnlyList<TopicPartition> Candidates(
        IEnumerable<(TopicPartition Partition, IReadOnlyList<int> Replicas, int? Leader)> partitions, int percentage)
    {
        var candidates = new List<TopicPartition>();
        foreach (var group in partitions.Where(p => p.Replicas.Count > 0).GroupBy(p => p.Replicas[0]))
        {
            var total = 0;
            var misplaced = new List<TopicPartition>();
            foreach (var (partition, _, leader) in group)
            {
                total++;
                if (leader is { } l && l != group.Key)
                {
                    misplaced.Add(partition);
                }
            }
            if ((double)misplaced.Count / total > percentage / 100.0)
            {
                candidates.AddRange(misplaced);
            }
        }
        return candidates;
    }
}
