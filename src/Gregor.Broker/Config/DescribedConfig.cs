namespace Gregor.Broker.Config;

/// <summary>
/// One config entry as DescribeConfigs reports it. <see cref="Value"/> is null for sensitive
/// keys and for keys that are unset. <see cref="Synonyms"/> lists, highest precedence first,
/// every place the value could come from that has a value (DescribeConfigs v1+ with
/// include_synonyms).
/// </summary>
public sealed record DescribedConfig(
    string Name,
    string? Value,
    ConfigSource Source,
    bool IsSensitive,
    bool ReadOnly,
    ConfigType Type,
    string? Documentation,
    IReadOnlyList<ConfigSynonym> Synonyms)
{
    /// <summary>The v0 <c>is_default</c> flag: the value is the built-in default.</summary>
    public bool IsDefault => Source == ConfigSource.DefaultConfig;
}

/// <summary>One synonym of a described config: a key whose value the config takes, and from where.</summary>
public sealed record ConfigSynonym(string Name, string? Value, ConfigSource Source);
