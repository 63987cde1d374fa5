using System.Globalization;

namespace Gregor.Broker.Config;

/// <summary>
/// One entry of <c>listeners</c> / <c>advertised.listeners</c>: <c>NAME://host:port</c>.
/// An empty <see cref="Host"/> means all interfaces (when binding). An IPv6 host is written
/// in brackets in the text (<c>PLAINTEXT://[::1]:9092</c>) and held without them.
/// </summary>
/// <param name="ListenerName">The listener's name, upper case (e.g. PLAINTEXT, INTERNAL).</param>
/// <param name="SecurityProtocol">The protocol the name maps to in listener.security.protocol.map.</param>
public sealed record ListenerEndpoint(string ListenerName, string SecurityProtocol, string Host, int Port)
{
    /// <summary>The protocols Gregor can serve today.</summary>
    public static readonly IReadOnlyList<string> SupportedProtocols = ["PLAINTEXT"];

    /// <summary><c>NAME://host:port</c>, brackets around an IPv6 host.</summary>
    public override string ToString() =>
        $"{ListenerName}://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses a comma-separated listener list for <paramref name="key"/>, mapping names to
    /// protocols through <paramref name="protocolMap"/>. Names must be unique, and so must ports.
    /// </summary>
    /// <exception cref="ConfigException">Bad syntax, unknown listener name, unsupported protocol, or duplicates.</exception>
    public static IReadOnlyList<ListenerEndpoint> ParseList(string key, string text, IReadOnlyDictionary<string, string> protocolMap)
    {
        var result = new List<ListenerEndpoint>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var endpoint = Parse(key, part, protocolMap);
            if (result.Any(e => e.ListenerName == endpoint.ListenerName))
            {
                throw new ConfigException(key, text, $"each listener must have a different name; {endpoint.ListenerName} appears twice");
            }
            if (result.Any(e => e.Port == endpoint.Port && e.Port != 0))
            {
                throw new ConfigException(key, text, $"each listener must have a different port; {endpoint.Port} appears twice");
            }
            result.Add(endpoint);
        }
        if (result.Count == 0)
        {
            throw new ConfigException(key, text, "no listener given");
        }
        return result;
    }

    /// <summary>Parses one <c>NAME://host:port</c>.</summary>
    /// <exception cref="ConfigException">See <see cref="ParseList"/>.</exception>
    public static ListenerEndpoint Parse(string key, string text, IReadOnlyDictionary<string, string> protocolMap)
    {
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0)
        {
            throw new ConfigException(key, text, "expected NAME://host:port");
        }
        var name = text[..sep].ToUpperInvariant();
        var hostPort = text[(sep + 3)..];
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0)
        {
            throw new ConfigException(key, text, "expected NAME://host:port");
        }
        var host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            throw new ConfigException(key, text, "an IPv6 host must be in brackets");
        }
        if (!int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ConfigException(key, text, "the port must be a number between 0 and 65535");
        }
        if (!protocolMap.TryGetValue(name, out var protocol))
        {
            throw new ConfigException(key, text, $"no security protocol defined for listener {name} in listener.security.protocol.map");
        }
        if (!SupportedProtocols.Contains(protocol))
        {
            throw new ConfigException(key, text, $"security protocol {protocol} is not supported (only {string.Join(", ", SupportedProtocols)})");
        }
        return new ListenerEndpoint(name, protocol, host, port);
    }

    /// <summary>Parses <c>listener.security.protocol.map</c>: <c>NAME:PROTOCOL</c> pairs separated by commas.</summary>
    /// <exception cref="ConfigException">A pair without a colon, or a name given twice.</exception>
    public static IReadOnlyDictionary<string, string> ParseProtocolMap(string key, string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':');
            if (colon <= 0 || colon == pair.Length - 1)
            {
                throw new ConfigException(key, text, $"expected NAME:PROTOCOL, got '{pair}'");
            }
            if (!map.TryAdd(pair[..colon].Trim().ToUpperInvariant(), pair[(colon + 1)..].Trim().ToUpperInvariant()))
            {
                throw new ConfigException(key, text, $"listener {pair[..colon]} appears twice");
            }
        }
        return map;
    }
}
