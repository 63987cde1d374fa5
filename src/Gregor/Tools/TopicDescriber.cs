using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.Tools;

/// <summary>
/// kafka-topics.sh --describe's output: per topic a line (TopicId, PartitionCount,
/// ReplicationFactor, non-default Configs), then a tab-indented line per partition. With
/// --topics-with-overrides only the topic lines of topics that have a non-default config; with
/// a partition report (<see cref="PartitionReports"/>) only the partition lines it selects.
/// </summary>
public sealed class TopicDescriber(AdminSession session, TopicDescriber.Options options)
{
    public sealed record Options(PartitionReports.Selection Reports, bool TopicsWithOverrides);

    /// <summary>Prints <paramref name="names"/> (or, given <paramref name="topicId"/>, the one with that id among them); the number of topics described.</summary>
    public async Task<int> DescribeAsync(List<string> names, string? topicId)
    {
        if (names.Count == 0)
        {
            return 0;
        }
        var described = await session.Admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(names),
            new DescribeTopicsOptions { RequestTimeout = ToolTimeouts.Request });
        var topics = described.TopicDescriptions
            .Where(t => topicId is null || TopicIds.Format(t.TopicId) == topicId)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        if (topics.Count == 0)
        {
            return 0;
        }
        var configs = await ConfigsAsync(topics.Select(t => t.Name));
        var live = session.Metadata().Brokers.Select(b => b.BrokerId).ToHashSet();
        foreach (var t in topics)
        {
            var entries = configs.GetValueOrDefault(t.Name) ?? [];
            var overrides = entries.Where(e => !e.IsDefault).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            if (!options.Reports.Any && (!options.TopicsWithOverrides || overrides.Count > 0))
            {
                var replication = t.Partitions.Count == 0 ? 0 : t.Partitions.MinBy(p => p.Partition)!.Replicas.Count;
                var configText = string.Join(',', overrides.Select(e => $"{e.Name}={(e.IsSensitive ? "<sensitive>" : e.Value)}"));
                Console.WriteLine(TopicDescriptionText.TopicLine(t.Name, TopicIds.IsNone(t.TopicId) ? null : TopicIds.Format(t.TopicId), t.Partitions.Count, replication, configText));
            }
            if (options.TopicsWithOverrides)
            {
                continue;
            }
            var minIsr = MinIsr(entries);
            foreach (var p in t.Partitions.OrderBy(p => p.Partition))
            {
                if (!options.Reports.Any || options.Reports.Selects(p, minIsr, live))
                {
                    Console.WriteLine(TopicDescriptionText.PartitionLine(t.Name, p.Partition, p.Leader?.Id, p.Replicas.Select(r => r.Id), p.ISR.Select(r => r.Id))
                        + TopicDescriptionText.NoEligibleLeaderReplicas);
                }
            }
        }
        return topics.Count;
    }

    private static int MinIsr(List<ConfigEntryResult> entries) =>
        int.TryParse(entries.FirstOrDefault(e => e.Name == "min.insync.replicas")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;

    /// <summary>Each topic's config entries. A cluster without DescribeConfigs still gets its topics described, with no configs.</summary>
    private async Task<Dictionary<string, List<ConfigEntryResult>>> ConfigsAsync(IEnumerable<string> names)
    {
        try
        {
            var results = await session.Admin.DescribeConfigsAsync(
                names.Select(n => new ConfigResource { Type = ResourceType.Topic, Name = n }),
                new DescribeConfigsOptions { RequestTimeout = ToolTimeouts.Request });
            return results.ToDictionary(r => r.ConfigResource.Name, r => r.Entries.Values.ToList());
        }
        catch (KafkaException)
        {
            return [];
        }
    }
}
