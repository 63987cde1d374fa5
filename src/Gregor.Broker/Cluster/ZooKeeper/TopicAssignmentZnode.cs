using System.Globalization;
using System.Text.Json;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>A partition's replicas in preference order, plus the replicas a reassignment adds and removes.</summary>
public sealed record PartitionReplicas(IReadOnlyList<int> Replicas, IReadOnlyList<int> AddingReplicas, IReadOnlyList<int> RemovingReplicas)
{
    public PartitionReplicas(IReadOnlyList<int> replicas)
        : this(replicas, [], [])
    {
    }
}

/// <summary>The payload of /brokers/topics/&lt;t&gt;: topic id (absent before version 3) and each partition's replicas.</summary>
public sealed record TopicAssignment(Uuid? TopicId, IReadOnlyDictionary<int, PartitionReplicas> Partitions);

/// <summary>
/// /brokers/topics/&lt;t&gt; codec (TopicZNode). Version 3 is written, in Kafka's field order:
/// <c>{"partitions":{"0":[1,2]},"removing_replicas":{},"topic_id":"&lt;22 chars&gt;","adding_replicas":{},"version":3}</c>;
/// partition keys are decimal strings, adding/removing list only the partitions under reassignment, topic_id is the
/// url-safe unpadded base64 of the 16 id bytes. Versions 1 and 2 (no topic_id; version 1 without adding/removing)
/// are read too.
/// </summary>
public static class TopicAssignmentZnode
{
    public const int CurrentVersion = 3;

    public static byte[] Encode(TopicAssignment assignment) => ZnodeJson.Write(w =>
    {
        var partitions = assignment.Partitions.OrderBy(p => p.Key).ToList();
        w.WriteStartObject();
        WriteReplicaMap(w, "partitions", partitions.Select(p => (p.Key, p.Value.Replicas)));
        WriteReplicaMap(w, "removing_replicas", partitions.Where(p => p.Value.RemovingReplicas.Count > 0).Select(p => (p.Key, p.Value.RemovingReplicas)));
        if (assignment.TopicId is { } topicId)
        {
            w.WriteString("topic_id", topicId.ToString());
        }
        WriteReplicaMap(w, "adding_replicas", partitions.Where(p => p.Value.AddingReplicas.Count > 0).Select(p => (p.Key, p.Value.AddingReplicas)));
        w.WriteNumber("version", CurrentVersion);
        w.WriteEndObject();
    });

    public static ZnodeParseResult<TopicAssignment> Decode(ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null || !ZnodeJson.TryGetInt(document.RootElement, "version", out var version, out error))
        {
            return ZnodeParseResult<TopicAssignment>.Invalid(error!);
        }
        if (version is < 1 or > CurrentVersion)
        {
            return ZnodeParseResult<TopicAssignment>.Invalid($"unsupported topic assignment version {version}");
        }
        var root = document.RootElement;
        if (!ZnodeJson.TryGetOptionalString(root, "topic_id", out var topicIdText, out error))
        {
            return ZnodeParseResult<TopicAssignment>.Invalid(error!);
        }
        Uuid? topicId = null;
        if (topicIdText is not null)
        {
            if (!Uuid.TryParse(topicIdText, out var parsed))
            {
                return ZnodeParseResult<TopicAssignment>.Invalid($"\"topic_id\" \"{topicIdText}\" is not a base64 uuid");
            }
            topicId = parsed;
        }
        if (!TryReadReplicaMap(root, "partitions", out var replicas, out error)
            || !TryReadReplicaMap(root, "adding_replicas", out var adding, out error)
            || !TryReadReplicaMap(root, "removing_replicas", out var removing, out error))
        {
            return ZnodeParseResult<TopicAssignment>.Invalid(error!);
        }
        var partitions = new Dictionary<int, PartitionReplicas>(replicas.Count);
        foreach (var (partition, list) in replicas)
        {
            partitions[partition] = new PartitionReplicas(list, adding.GetValueOrDefault(partition) ?? [], removing.GetValueOrDefault(partition) ?? []);
        }
        return ZnodeParseResult<TopicAssignment>.Valid(new TopicAssignment(topicId, partitions));
    }

    private static void WriteReplicaMap(Utf8JsonWriter w, string name, IEnumerable<(int Partition, IReadOnlyList<int> Replicas)> entries)
    {
        w.WriteStartObject(name);
        foreach (var (partition, replicas) in entries)
        {
            ZnodeJson.WriteIntArray(w, partition.ToString(CultureInfo.InvariantCulture), replicas);
        }
        w.WriteEndObject();
    }

    // An absent map is empty, as Kafka reads it.
    private static bool TryReadReplicaMap(JsonElement root, string name, out Dictionary<int, int[]> map, out string? error)
    {
        map = [];
        error = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"\"{name}\" is not an object";
            return false;
        }
        foreach (var entry in element.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                error = $"\"{name}\" has a non-numeric partition \"{entry.Name}\"";
                return false;
            }
            if (!ZnodeJson.TryGetIntArray(entry.Value, $"{name}.{entry.Name}", out var replicas, out error))
            {
                return false;
            }
            map[partition] = replicas;
        }
        return true;
    }
}
