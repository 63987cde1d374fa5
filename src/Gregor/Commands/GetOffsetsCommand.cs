using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor get-offsets`, as kafka-get-offsets.sh: one <c>topic:partition:offset</c> line per
/// partition, sorted. --time: -1/latest (log end offset, the default), -2/earliest (log start
/// offset), -3/max-timestamp, or a timestamp in ms (the first offset at or after it;
/// partitions with no such record print nothing, as Kafka's tool does).
/// </summary>
public static class GetOffsetsCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = new Option<string?>("--topic") { Description = "The topics: a regular expression matching whole names (default: all topics)." };
        var partitions = new Option<string?>("--partitions") { Description = "Comma-separated partition ids (default: all)." };
        var time = new Option<string>("--time")
        {
            Description = "-1 or latest, -2 or earliest, -3 or max-timestamp, or a timestamp in ms (default -1).",
            DefaultValueFactory = _ => "-1",
        };
        var excludeInternal = new Option<bool>("--exclude-internal-topics") { Description = "Leave out internal topics." };
        var command = new Command("get-offsets", "Print partition offsets, like kafka-get-offsets.sh.") { topic, partitions, time, excludeInternal };
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, _) =>
        {
            var spec = ParseTime(parse.GetValue(time)!);
            var wanted = ParsePartitions(parse.GetValue(partitions));
            using var session = AdminSession.Connect(cluster.Read(parse));
            var filter = new TopicFilter(parse.GetValue(topic) ?? ".*");
            var topics = session.Metadata().Topics.Where(t => !t.Error.IsError && filter.Allows(t.Topic, parse.GetValue(excludeInternal))).ToList();
            if (topics.Count == 0 && parse.GetValue(topic) is { } name)
            {
                throw new ToolException($"topic '{name}' does not exist");
            }
            var requests = topics
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)))
                .Where(tp => wanted is null || wanted.Contains(tp.Partition.Value))
                .Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec })
                .ToList();
            if (requests.Count == 0)
            {
                // As kafka-get-offsets.sh: a filter that selects nothing is a mistake, not an empty answer.
                throw new ToolException("could not match any topic-partitions with the specified filters");
            }
            ListOffsetsResult result;
            try
            {
                result = await session.Admin.ListOffsetsAsync(requests, new ListOffsetsOptions { RequestTimeout = ToolTimeouts.Request });
            }
            catch (ListOffsetsException e)
            {
                var failed = e.Result.ResultInfos.First(r => r.TopicPartitionOffsetError.Error.IsError).TopicPartitionOffsetError;
                throw new ToolException($"{failed.Topic}-{failed.Partition.Value}: {KafkaClients.Describe(failed.Error)}");
            }
            foreach (var r in result.ResultInfos.Select(i => i.TopicPartitionOffsetError)
                .OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition.Value))
            {
                if (r.Offset.Value >= 0)
                {
                    Console.WriteLine($"{r.Topic}:{r.Partition.Value}:{r.Offset.Value}");
                }
            }
            return 0;
        });
        return command;
    }

    private static OffsetSpec ParseTime(string text) => text switch
    {
        "-1" or "latest" => OffsetSpec.Latest(),
        "-2" or "earliest" => OffsetSpec.Earliest(),
        "-3" or "max-timestamp" => OffsetSpec.MaxTimestamp(),
        _ when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) => OffsetSpec.ForTimestamp(ms),
        _ => throw new ToolException($"--time must be -1, -2, -3, latest, earliest, max-timestamp or a timestamp in ms, got '{text}'"),
    };

    private static HashSet<int>? ParsePartitions(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var ids = new HashSet<int>();
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new ToolException($"--partitions expects comma-separated partition ids, got '{item}'");
            }
            ids.Add(id);
        }
        return ids;
    }
}
