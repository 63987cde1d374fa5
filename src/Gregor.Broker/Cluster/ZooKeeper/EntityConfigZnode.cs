using System.Text.Json;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// /config/&lt;type&gt;/&lt;name&gt; codec (ConfigEntityZNode): <c>{"version":1,"config":{"retention.ms":"1000"}}</c>,
/// every value a string.
/// </summary>
public static class EntityConfigZnode
{
    public static byte[] Encode(IReadOnlyDictionary<string, string> config) => ZnodeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteStartObject("config");
        foreach (var (key, value) in config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static ZnodeParseResult<IReadOnlyDictionary<string, string>> Decode(ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null || !ZnodeJson.TryGetInt(document.RootElement, "version", out var version, out error))
        {
            return ZnodeParseResult<IReadOnlyDictionary<string, string>>.Invalid(error!);
        }
        if (version != 1)
        {
            return ZnodeParseResult<IReadOnlyDictionary<string, string>>.Invalid($"unsupported entity config version {version}");
        }
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        if (document.RootElement.TryGetProperty("config", out var entries) && entries.ValueKind != JsonValueKind.Null)
        {
            if (entries.ValueKind != JsonValueKind.Object)
            {
                return ZnodeParseResult<IReadOnlyDictionary<string, string>>.Invalid("\"config\" is not an object");
            }
            foreach (var entry in entries.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    return ZnodeParseResult<IReadOnlyDictionary<string, string>>.Invalid($"config \"{entry.Name}\" is not a string");
                }
                config[entry.Name] = entry.Value.GetString()!;
            }
        }
        return ZnodeParseResult<IReadOnlyDictionary<string, string>>.Valid(config);
    }
}

/// <summary>The entity a config change notification names, e.g. ("topics", "t") or ("brokers", "&lt;default&gt;").</summary>
public sealed record ConfigEntity(string EntityType, string EntityName)
{
    /// <summary>Kafka's entity path "type/name" as written in version 2 notifications.</summary>
    public string EntityPath => $"{EntityType}/{EntityName}";
}

/// <summary>
/// /config/changes/config_change_&lt;seq&gt; codec: version 2 <c>{"version":2,"entity_path":"topics/t"}</c> is written;
/// version 1 <c>{"version":1,"entity_type":"topics","entity_name":"t"}</c> is also read.
/// </summary>
public static class ConfigChangeZnode
{
    public static byte[] Encode(ConfigEntity entity) => ZnodeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 2);
        w.WriteString("entity_path", entity.EntityPath);
        w.WriteEndObject();
    });

    public static ZnodeParseResult<ConfigEntity> Decode(ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null || !ZnodeJson.TryGetInt(document.RootElement, "version", out var version, out error))
        {
            return ZnodeParseResult<ConfigEntity>.Invalid(error!);
        }
        var root = document.RootElement;
        switch (version)
        {
            case 1:
                if (!ZnodeJson.TryGetOptionalString(root, "entity_type", out var type, out error)
                    || !ZnodeJson.TryGetOptionalString(root, "entity_name", out var name, out error))
                {
                    return ZnodeParseResult<ConfigEntity>.Invalid(error!);
                }
                return string.IsNullOrEmpty(type) || string.IsNullOrEmpty(name)
                    ? ZnodeParseResult<ConfigEntity>.Invalid("missing \"entity_type\" or \"entity_name\"")
                    : ZnodeParseResult<ConfigEntity>.Valid(new ConfigEntity(type, name));
            case 2:
                if (!ZnodeJson.TryGetOptionalString(root, "entity_path", out var path, out error))
                {
                    return ZnodeParseResult<ConfigEntity>.Invalid(error!);
                }
                // The type is the first segment; the name is the rest (user/client entities nest: users/u/clients/c).
                var slash = path?.IndexOf('/') ?? -1;
                return slash <= 0 || slash == path!.Length - 1
                    ? ZnodeParseResult<ConfigEntity>.Invalid($"\"entity_path\" \"{path}\" is not type/name")
                    : ZnodeParseResult<ConfigEntity>.Valid(new ConfigEntity(path[..slash], path[(slash + 1)..]));
            default:
                return ZnodeParseResult<ConfigEntity>.Invalid($"unsupported config change version {version}");
        }
    }
}
