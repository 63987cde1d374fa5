using System.Globalization;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>Resolves kafka-consumer-groups.sh's --topic values: TOPIC (all its partitions) or TOPIC:P,P,...</summary>
public static class TopicScope
{
    public static List<TopicPartition> Resolve(AdminSession session, IEnumerable<string> specs)
    {
        var result = new List<TopicPartition>();
        foreach (var spec in specs)
        {
            var colon = spec.LastIndexOf(':');
            var topic = colon < 0 ? spec : spec[..colon];
            var count = session.Topic(topic).Partitions.Count;
            if (colon < 0)
            {
                result.AddRange(Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p)));
                continue;
            }
            foreach (var item in spec[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p >= count)
                {
                    throw new ToolException($"--topic {spec}: '{item}' is not a partition of {topic} (it has {count})");
                }
                result.Add(new TopicPartition(topic, p));
            }
        }
        return result.Distinct().ToList();
    }
}
