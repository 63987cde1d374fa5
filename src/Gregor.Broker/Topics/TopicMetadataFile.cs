using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gregor.Broker.Cluster;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Topics;

/// <summary>
/// The single-node metadata store's files in the first log dir. `topic-metadata.json` is a snapshot:
/// <c>{"version":1,"topics":[{"name":…,"topicId":"&lt;base64url&gt;","partitions":N,"replicationFactor":R,"configs":{…}}]}</c>,
/// written atomically (temp file, fsync, rename), so a crash leaves the old or the new one.
/// `topic-metadata.changes` holds the changes made since, one JSON line each (fsynced before the
/// change is answered): a topic entry as in the snapshot, or <c>{"name":…,"deleted":true}</c>.
/// Reading applies the changes to the snapshot in order; a torn last line (a crash while it was
/// written, never answered) is ignored, and the owner writes a snapshot at start-up, before it
/// appends anything after such a line. Appending one line keeps a change O(1) whatever the number
/// of topics (rewriting the snapshot per change made creating n topics O(n²)); the owner writes a
/// new snapshot, which removes the changes file, once the changes outnumber the topics, so the
/// rewrites cost O(1) per change on average. Replaying changes already in a snapshot (a crash
/// between the rename and the removal) gives the same topics, so that order is safe.
/// </summary>
public static class TopicMetadataFile
{
    public const string FileName = "topic-metadata.json";

    public const string ChangesFileName = "topic-metadata.changes";

    private sealed record Entry(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("topicId")] string? TopicId,
        [property: JsonPropertyName("partitions")] int Partitions,
        [property: JsonPropertyName("replicationFactor")] short ReplicationFactor,
        [property: JsonPropertyName("configs")] Dictionary<string, string>? Configs,
        [property: JsonPropertyName("deleted"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Deleted = false);

    private sealed record Document(
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("topics")] List<Entry> Topics);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static List<TopicRecord> Read(string logDir)
    {
        var path = Path.Combine(logDir, FileName);
        var topics = new Dictionary<string, TopicRecord>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            var document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException($"{path} is empty");
            foreach (var e in document.Topics)
            {
                topics[e.Name] = ToRecord(path, e);
            }
        }
        var changes = Path.Combine(logDir, ChangesFileName);
        if (File.Exists(changes))
        {
            var lines = File.ReadAllLines(changes);
            for (var i = 0; i < lines.Length; i++)
            {
                Entry? e;
                try
                {
                    e = JsonSerializer.Deserialize<Entry>(lines[i]);
                }
                catch (JsonException) when (i == lines.Length - 1)
                {
                    break;
                }
                if (e is null)
                {
                    throw new InvalidDataException($"{changes}: line {i + 1} is empty");
                }
                if (e.Deleted)
                {
                    topics.Remove(e.Name);
                }
                else
                {
                    topics[e.Name] = ToRecord(changes, e);
                }
            }
        }
        return topics.Values.ToList();
    }

    /// <summary>Writes a new snapshot of every topic and removes the changes it includes.</summary>
    public static void Write(string logDir, IEnumerable<TopicRecord> topics)
    {
        var document = new Document(1, topics
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(ToEntry)
            .ToList());
        var path = Path.Combine(logDir, FileName);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, document, Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        File.Delete(Path.Combine(logDir, ChangesFileName));
    }

    /// <summary>Appends one change (fsynced): <paramref name="topic"/> as it now is, or deleted when null.</summary>
    public static void AppendChange(string logDir, string name, TopicRecord? topic)
    {
        var entry = topic is null ? new Entry(name, null, 0, 0, null, Deleted: true) : ToEntry(topic);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry) + "\n");
        using var stream = new FileStream(Path.Combine(logDir, ChangesFileName), FileMode.Append, FileAccess.Write, FileShare.None);
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    private static Entry ToEntry(TopicRecord t) =>
        new(t.Name, t.TopicId.ToString(), t.Partitions, t.ReplicationFactor, new Dictionary<string, string>(t.Configs));

    private static TopicRecord ToRecord(string path, Entry e) => new(
        e.Name,
        Uuid.TryParse(e.TopicId ?? "", out var id) ? id : throw new InvalidDataException($"{path}: bad topic id {e.TopicId} for {e.Name}"),
        e.Partitions,
        e.ReplicationFactor,
        e.Configs ?? []);
}
