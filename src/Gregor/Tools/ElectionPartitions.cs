using System.Text.Json;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// kafka-leader-election.sh's --path-to-json-file: <c>{"partitions": [{"topic": "foo", "partition": 1}, ...]}</c>.
/// Refused in Kafka's words: a file that is not JSON ("empty"), one without "partitions", one naming
/// a partition twice.
/// </summary>
public static class ElectionPartitions
{
    public static List<TopicPartition> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ToolException($"JSON file {path} not found");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            throw new ToolException("Replica election data is empty");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("partitions", out var list))
            {
                throw new ToolException("Replica election data is missing \"partitions\" field");
            }
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new ToolException($"{path}: \"partitions\" is not an array");
            }
            var partitions = list.EnumerateArray().Select(p => Partition(path, p)).ToList();
            var duplicates = partitions.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => $"{g.Key.Topic}-{g.Key.Partition.Value}").ToList();
            if (duplicates.Count > 0)
            {
                throw new ToolException($"Replica election data contains duplicate partitions: [{string.Join(", ", duplicates)}]");
            }
            return partitions;
        }
    }

    private static TopicPartition Partition(string path, JsonElement entry)
    {
        if (entry.ValueKind == JsonValueKind.Object
            && entry.TryGetProperty("topic", out var topic) && topic.ValueKind == JsonValueKind.String
            && entry.TryGetProperty("partition", out var partition) && partition.ValueKind == JsonValueKind.Number && partition.TryGetInt32(out var number))
        {
            return new TopicPartition(topic.GetString()!, number);
        }
        throw new ToolException($"{path}: each partition is {{\"topic\": NAME, \"partition\": NUMBER}}, not {entry.GetRawText()}");
    }
}
