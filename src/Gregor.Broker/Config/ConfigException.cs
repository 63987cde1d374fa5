namespace Gregor.Broker.Config;

/// <summary>
/// A configuration value is invalid (or a key is unknown where unknown keys are not allowed).
/// The message names the key and the value, in Kafka's wording:
/// <c>Invalid value {Value} for configuration {Key}: {reason}</c>. At start-up it stops the
/// broker; for a topic override the broker answers INVALID_CONFIG with this message.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>An invalid value for a key.</summary>
    public ConfigException(string key, string? value, string reason)
        : base($"Invalid value {value ?? "null"} for configuration {key}: {reason}")
    {
        Key = key;
        Value = value;
        Reason = reason;
    }

    /// <summary>An error about a key as a whole (e.g. an unknown topic config), with a message of its own.</summary>
    public ConfigException(string key, string message)
        : base(message)
    {
        Key = key;
        Reason = message;
    }

    /// <summary>The configuration key at fault.</summary>
    public string Key { get; }

    /// <summary>The offending value as given, when there is one.</summary>
    public string? Value { get; }

    /// <summary>Why the value was rejected, without the key and value.</summary>
    public string Reason { get; }
}
