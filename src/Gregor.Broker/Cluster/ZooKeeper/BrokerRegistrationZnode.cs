using System.Globalization;
using System.Text.Json;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>One advertised listener of a registered broker: "NAME://host:port" plus its security protocol.</summary>
public sealed record ListenerEndpoint(string ListenerName, string SecurityProtocol, string? Host, int Port)
{
    /// <summary>Kafka's connection string: IPv6 hosts in brackets, a null host as empty.</summary>
    public string ConnectionString =>
        Host is null ? $"{ListenerName}://:{Port}"
        : Host.Contains(':') ? $"{ListenerName}://[{Host}]:{Port}"
        : $"{ListenerName}://{Host}:{Port}";
}

/// <summary>A supported feature's version range as brokers register it.</summary>
public sealed record FeatureVersionRange(short MinVersion, short MaxVersion);

/// <summary>The payload of /brokers/ids/&lt;id&gt;. The broker epoch is the znode's czxid, not part of the payload.</summary>
public sealed record BrokerRegistration(
    int BrokerId,
    IReadOnlyList<ListenerEndpoint> Endpoints,
    string? Rack,
    IReadOnlyDictionary<string, FeatureVersionRange> Features,
    int JmxPort = -1,
    int Version = BrokerRegistrationZnode.CurrentVersion);

/// <summary>
/// /brokers/ids/&lt;id&gt; codec (Kafka's BrokerIdZNode). Version 5 is written:
/// <c>{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://h:9092"],
/// "rack":"r","jmx_port":-1,"port":9092,"host":"h","version":5,"timestamp":"1700000000000"}</c> — Kafka's own field order
/// (its map's iteration order); "host"/"port" name the first PLAINTEXT endpoint (null/-1 when there is none) for old
/// clients; "timestamp" is a string of epoch milliseconds. Versions 1–5 are read.
/// </summary>
public static class BrokerRegistrationZnode
{
    public const int CurrentVersion = 5;

    public static byte[] Encode(BrokerRegistration broker, long timestampMs) => ZnodeJson.Write(w =>
    {
        var plaintext = broker.Endpoints.FirstOrDefault(e => e.SecurityProtocol == "PLAINTEXT");
        w.WriteStartObject();
        w.WriteStartObject("features");
        foreach (var (name, range) in broker.Features)
        {
            w.WriteStartObject(name);
            w.WriteNumber("min_version", range.MinVersion);
            w.WriteNumber("max_version", range.MaxVersion);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteStartObject("listener_security_protocol_map");
        foreach (var endpoint in broker.Endpoints)
        {
            w.WriteString(endpoint.ListenerName, endpoint.SecurityProtocol);
        }
        w.WriteEndObject();
        w.WriteStartArray("endpoints");
        foreach (var endpoint in broker.Endpoints)
        {
            w.WriteStringValue(endpoint.ConnectionString);
        }
        w.WriteEndArray();
        if (broker.Rack is not null)
        {
            w.WriteString("rack", broker.Rack);
        }
        w.WriteNumber("jmx_port", broker.JmxPort);
        w.WriteNumber("port", plaintext?.Port ?? -1);
        if (plaintext?.Host is { } host)
        {
            w.WriteString("host", host);
        }
        else
        {
            w.WriteNull("host");
        }
        w.WriteNumber("version", CurrentVersion);
        w.WriteString("timestamp", timestampMs.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    });

    public static ZnodeParseResult<BrokerRegistration> Decode(int brokerId, ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null)
        {
            return ZnodeParseResult<BrokerRegistration>.Invalid(error!);
        }
        var root = document.RootElement;
        if (!ZnodeJson.TryGetInt(root, "version", out var version, out error)
            || !ZnodeJson.TryGetInt(root, "jmx_port", out var jmxPort, out error))
        {
            return ZnodeParseResult<BrokerRegistration>.Invalid(error!);
        }
        if (version is < 1 or > CurrentVersion)
        {
            return ZnodeParseResult<BrokerRegistration>.Invalid($"unsupported broker registration version {version}");
        }
        var endpoints = new List<ListenerEndpoint>();
        if (version == 1)
        {
            if (!ZnodeJson.TryGetOptionalString(root, "host", out var host, out error)
                || !ZnodeJson.TryGetInt(root, "port", out var port, out error))
            {
                return ZnodeParseResult<BrokerRegistration>.Invalid(error!);
            }
            endpoints.Add(new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", host, port));
        }
        else
        {
            var protocols = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("listener_security_protocol_map", out var map) && map.ValueKind != JsonValueKind.Null)
            {
                if (map.ValueKind != JsonValueKind.Object)
                {
                    return ZnodeParseResult<BrokerRegistration>.Invalid("\"listener_security_protocol_map\" is not an object");
                }
                foreach (var entry in map.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.String)
                    {
                        return ZnodeParseResult<BrokerRegistration>.Invalid($"security protocol of listener {entry.Name} is not a string");
                    }
                    protocols[entry.Name] = entry.Value.GetString()!;
                }
            }
            if (!root.TryGetProperty("endpoints", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return ZnodeParseResult<BrokerRegistration>.Invalid("missing \"endpoints\" array");
            }
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || !TryParseEndpoint(item.GetString()!, protocols, out var endpoint, out error))
                {
                    return ZnodeParseResult<BrokerRegistration>.Invalid(error ?? "an endpoint is not a string");
                }
                endpoints.Add(endpoint);
            }
        }
        if (!ZnodeJson.TryGetOptionalString(root, "rack", out var rack, out error))
        {
            return ZnodeParseResult<BrokerRegistration>.Invalid(error!);
        }
        var features = new Dictionary<string, FeatureVersionRange>(StringComparer.Ordinal);
        if (root.TryGetProperty("features", out var featureMap) && featureMap.ValueKind != JsonValueKind.Null)
        {
            if (featureMap.ValueKind != JsonValueKind.Object)
            {
                return ZnodeParseResult<BrokerRegistration>.Invalid("\"features\" is not an object");
            }
            foreach (var feature in featureMap.EnumerateObject())
            {
                if (feature.Value.ValueKind != JsonValueKind.Object
                    || !ZnodeJson.TryGetInt(feature.Value, "min_version", out var min, out error)
                    || !ZnodeJson.TryGetInt(feature.Value, "max_version", out var max, out error)
                    || min is < short.MinValue or > short.MaxValue || max is < short.MinValue or > short.MaxValue)
                {
                    return ZnodeParseResult<BrokerRegistration>.Invalid($"feature {feature.Name}: {error ?? "not a version range"}");
                }
                features[feature.Name] = new FeatureVersionRange((short)min, (short)max);
            }
        }
        return ZnodeParseResult<BrokerRegistration>.Valid(new BrokerRegistration(brokerId, endpoints, rack, features, jmxPort, version));
    }

    // "NAME://host:port", "NAME://[v6]:port" or "NAME://:port". Without a listener_security_protocol_map
    // (versions 2–3) the listener name is the security protocol, as Kafka's default map says.
    private static bool TryParseEndpoint(
        string text, IReadOnlyDictionary<string, string> protocols, out ListenerEndpoint endpoint, out string? error)
    {
        endpoint = null!;
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var colon = text.LastIndexOf(':');
        if (separator <= 0 || colon < separator + 3
            || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port))
        {
            error = $"endpoint \"{text}\" is not NAME://host:port";
            return false;
        }
        var name = text[..separator].ToUpperInvariant();
        var host = text[(separator + 3)..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        string? protocol;
        if (protocols.Count == 0)
        {
            protocol = name is "PLAINTEXT" or "SSL" or "SASL_PLAINTEXT" or "SASL_SSL" ? name : null;
        }
        else
        {
            protocol = protocols.GetValueOrDefault(name);
        }
        if (protocol is null)
        {
            error = $"endpoint \"{text}\": no security protocol for listener {name}";
            return false;
        }
        endpoint = new ListenerEndpoint(name, protocol, host.Length == 0 ? null : host, port);
        error = null;
        return true;
    }
}
