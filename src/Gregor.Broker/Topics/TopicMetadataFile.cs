using System.Text.Json;
using System.Text.Json.Serialization;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Topics;

/// <summary>
/// The single-node metadata store's file, `topic-metadata.json` in the first log dir:
/// <c>{"version":1,"topics":[{"name":…,"topicId":"&lt;base64url&gt;","partitions":N,"replicationFactor":R,"configs":{…}}]}</c>.
/// Written atomically (temp file, fsync, rename) after every change, so a crash leaves the old or the new file.
/// </summary>
public static class TopicMetadataFile
{
    public const string FileName = "topic-metadata.json";

    private sealed record Entry(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("topicId")] string TopicId,
        [property: JsonPropertyName("partitions")] int Partitions,
        [property: JsonPropertyName("replicationFactor")] short ReplicationFactor,
        [property: JsonPropertyName("configs")] Dictionary<string, string> Configs);

    private sealed record Document(
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("topics")] List<Entry> Topics);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static List<TopicRecord> Read(string logDir)
    {
        var path = Path.Combine(logDir, FileName);
        if (!File.Exists(path))
        {
            return [];
        }
        var document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Options)
            ?? throw new InvalidDataException($"{path} is empty");
        return document.Topics.Select(e => new TopicRecord(
            e.Name,
            Uuid.TryParse(e.TopicId, out var id) ? id : throw new InvalidDataException($"{path}: bad topic id {e.TopicId} for {e.Name}"),
            e.Partitions,
            e.ReplicationFactor,
            e.Configs)).ToList();
    }

    public static void Write(string logDir, IEnumerable<TopicRecord> topics)
    {
        var document = new Document(1, topics
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => new Entry(t.Name, t.TopicId.ToString(), t.Partitions, t.ReplicationFactor, new Dictionary<string, string>(t.Configs)))
            .ToList());
        var path = Path.Combine(logDir, FileName);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, document, Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
