namespace Gregor.Broker.Config;

/// <summary>
/// One entry of a config catalog: everything parsing, validation, defaults, listings and
/// DescribeConfigs need to know about a key.
/// </summary>
/// <param name="Name">Kafka's key name.</param>
/// <param name="Type">The value's type; parsed values are <c>int</c>, <c>short</c>, <c>long</c>,
/// <c>double</c>, <c>bool</c>, <c>string</c> or <c>IReadOnlyList&lt;string&gt;</c> accordingly.</param>
/// <param name="Default">The typed default, or null when the key is unset by default.</param>
/// <param name="Validator">Checks a set value; null when any value of the type is valid.</param>
/// <param name="Documentation">One line saying what the key does and its unit.</param>
public sealed record ConfigKey(string Name, ConfigType Type, object? Default, ConfigValidator? Validator, string Documentation)
{
    /// <summary>The topic-level key that takes its default from this broker key, if any.</summary>
    public string? TopicKey { get; init; }

    /// <summary>True for keys Kafka does not have (Gregor's own).</summary>
    public bool GregorSpecific { get; init; }

    /// <summary>Passwords are never printed or described.</summary>
    public bool Sensitive => Type == ConfigType.Password;

    /// <summary>Parses and validates a raw value for this key.</summary>
    /// <exception cref="ConfigException">The value does not parse or is out of range.</exception>
    public object? Parse(string? raw)
    {
        var value = ConfigValues.Parse(this, raw);
        if (value is not null && Validator?.Check(value) is { } reason)
        {
            throw new ConfigException(Name, raw, reason);
        }
        return value;
    }
}
