namespace Gregor.Broker.Config;

/// <summary>A loaded broker configuration and the warnings loading it produced (unknown keys).</summary>
public sealed record BrokerConfigLoadResult(BrokerConfig Config, IReadOnlyList<string> Warnings);

public sealed partial record BrokerConfig
{
    /// <summary>Every key at its default (what an empty <c>server.properties</c> gives).</summary>
    public static BrokerConfig Default { get; } = FromProperties(new Dictionary<string, string>()).Config;

    /// <summary>Name of the embedded copy of the shipped <c>config/server.properties</c>.</summary>
    private const string BuiltInResource = "Gregor.Broker.Config.server.properties";

    /// <summary>
    /// The text of the shipped <c>config/server.properties</c>, embedded in this assembly at build
    /// time: the configuration a broker started without a file runs on.
    /// </summary>
    public static string BuiltInPropertiesText
    {
        get
        {
            using var stream = typeof(BrokerConfig).Assembly.GetManifestResourceStream(BuiltInResource)
                ?? throw new InvalidOperationException($"resource {BuiltInResource} missing from the assembly");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The built-in configuration (<see cref="BuiltInPropertiesText"/>) with <paramref name="overrides"/> applied.</summary>
    /// <exception cref="ConfigException">An invalid override.</exception>
    public static BrokerConfigLoadResult LoadBuiltIn(IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var properties = new Dictionary<string, string>(JavaProperties.ParseToDictionary(BuiltInPropertiesText), StringComparer.Ordinal);
        ApplyOverrides(properties, overrides);
        return FromProperties(properties);
    }

    /// <summary>
    /// Reads <paramref name="path"/> (Java properties syntax), then applies
    /// <paramref name="overrides"/> (<c>key=value</c> strings from <c>--override</c>, in order,
    /// each beating the file and earlier overrides).
    /// </summary>
    /// <exception cref="ConfigException">An invalid value or a malformed override; the message names the key.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static BrokerConfigLoadResult Load(string path, IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(overrides);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<KeyValuePair<string, string>> pairs;
        try
        {
            pairs = JavaProperties.Load(path);
        }
        catch (FormatException e)
        {
            throw new ConfigException(path, $"Cannot parse {path}: {e.Message}");
        }
        foreach (var (key, value) in pairs)
        {
            properties[key] = value;
        }
        ApplyOverrides(properties, overrides);
        return FromProperties(properties);
    }

    /// <summary>Applies <c>key=value</c> overrides to <paramref name="properties"/>.</summary>
    /// <exception cref="ConfigException">An override without <c>=</c> or with an empty key.</exception>
    public static void ApplyOverrides(IDictionary<string, string> properties, IEnumerable<string> overrides)
    {
        foreach (var entry in overrides)
        {
            var eq = entry.IndexOf('=');
            var key = eq < 0 ? entry.Trim() : entry[..eq].Trim();
            if (eq < 0 || key.Length == 0)
            {
                throw new ConfigException(key, $"Invalid override '{entry}': expected key=value");
            }
            properties[key] = entry[(eq + 1)..];
        }
    }

    /// <summary>
    /// Builds the configuration from raw properties: every catalog key is parsed and
    /// validated (or takes its default); unknown keys produce a warning and are otherwise ignored.
    /// </summary>
    /// <exception cref="ConfigException">An invalid value; the message names the key and the value.</exception>
    public static BrokerConfigLoadResult FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var warnings = new List<string>();
        var kraft = properties.Keys.Where(KRaftKeys.IsKRaftKey).ToList();
        if (kraft.Count > 0)
        {
            warnings.Add(KRaftKeys.Warning(kraft));
        }
        foreach (var key in properties.Keys.Order(StringComparer.Ordinal))
        {
            if (!BrokerConfigDefinitions.TryGet(key, out _) && !KRaftKeys.IsKRaftKey(key))
            {
                warnings.Add($"unknown configuration key '{key}' ignored");
            }
        }
        properties = WithIdSynonyms(properties);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var definition in BrokerConfigDefinitions.All)
        {
            values[definition.Name] = properties.TryGetValue(definition.Name, out var raw)
                ? definition.Parse(raw)
                : definition.Default;
        }
        var originals = new Dictionary<string, string>(properties, StringComparer.Ordinal);
        return new BrokerConfigLoadResult(new BrokerConfig(values, originals), warnings);
    }

    /// <summary>
    /// As Kafka: broker.id and node.id name the same id, so when only one is given the other
    /// takes its value (the constructor checks that two given values agree).
    /// </summary>
    private static IReadOnlyDictionary<string, string> WithIdSynonyms(IReadOnlyDictionary<string, string> properties)
    {
        var brokerId = properties.TryGetValue("broker.id", out var b);
        var nodeId = properties.TryGetValue("node.id", out var n);
        if (brokerId == nodeId)
        {
            return properties;
        }
        var copy = new Dictionary<string, string>(properties, StringComparer.Ordinal);
        if (brokerId)
        {
            copy["node.id"] = b!;
        }
        else
        {
            copy["broker.id"] = n!;
        }
        return copy;
    }
}
