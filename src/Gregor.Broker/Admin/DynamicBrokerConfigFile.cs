using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gregor.Broker.Admin;

/// <summary>
/// Where the dynamic broker configs live: <c>dynamic-broker-configs.json</c> in the first log dir,
/// <c>{"version":1,"default":{key:value…},"broker":{key:value…}}</c> — "default" holds the
/// cluster-wide defaults (resource name ""), "broker" this broker's own (resource name = its id).
/// Kafka keeps them in ZooKeeper / the metadata log; a single node keeps them beside its topics.
/// Written atomically (temp file, fsync, rename).
/// </summary>
public static class DynamicBrokerConfigFile
{
    public const string FileName = "dynamic-broker-configs.json";

    private sealed record Document(
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("default")] Dictionary<string, string> Default,
        [property: JsonPropertyName("broker")] Dictionary<string, string> Broker);

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The stored defaults and per-broker configs; both empty when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a document of this format.</exception>
    public static (Dictionary<string, string> Default, Dictionary<string, string> Broker) Read(string logDir)
    {
        var path = Path.Combine(logDir, FileName);
        if (!File.Exists(path))
        {
            return (new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        }
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        if (document is null || document.Version != 1)
        {
            throw new InvalidDataException($"{path}: not a version 1 dynamic broker config file");
        }
        return (new(document.Default ?? [], StringComparer.Ordinal), new(document.Broker ?? [], StringComparer.Ordinal));
    }

    public static void Write(string logDir, IReadOnlyDictionary<string, string> defaults, IReadOnlyDictionary<string, string> broker)
    {
        var document = new Document(1,
            defaults.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value),
            broker.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value));
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
