namespace Gregor.Broker.Config;

/// <summary>
/// A topic-level key: its definition (type, validator, documentation; the default in
/// <see cref="Definition"/> is what a broker with an empty configuration gives), the broker
/// keys it takes its default from, and how to compute that default from a broker config.
/// </summary>
/// <param name="Definition">Name, type, validator and documentation of the topic key.</param>
/// <param name="BrokerSynonyms">Broker keys the default comes from, highest precedence first
/// (e.g. log.retention.ms, log.retention.minutes, log.retention.hours for retention.ms).</param>
/// <param name="DefaultFrom">The effective default on a broker, typed as <see cref="Definition"/>'s type.</param>
public sealed record TopicConfigKey(ConfigKey Definition, IReadOnlyList<string> BrokerSynonyms, Func<BrokerConfig, object?> DefaultFrom)
{
    /// <summary>The topic key's name.</summary>
    public string Name => Definition.Name;

    /// <summary>The key's type.</summary>
    public ConfigType Type => Definition.Type;

    /// <summary>
    /// True for keys Gregor validates, stores and describes as Kafka does but does not act on yet
    /// (tiered storage, replication throttles, compression levels, the deprecated format version).
    /// </summary>
    public bool NoEffectYet { get; init; }
}
