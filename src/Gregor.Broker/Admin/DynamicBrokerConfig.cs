using Gregor.Broker.Config;

namespace Gregor.Broker.Admin;

/// <summary>
/// Dynamic broker configs (Kafka's KIP-226), limited to the log defaults: the broker key behind
/// each topic key (log.retention.ms, log.segment.bytes, message.max.bytes, …) may be set for the
/// whole cluster (resource name "") or for this broker (its id), and becomes the default of every
/// topic that does not override it. Precedence, highest first: per-broker, cluster default, the
/// static file and <c>--override</c>s, built-in default.
/// <para>
/// Ownership: changes are serialised by <see cref="_lock"/>; readers take <see cref="Snapshot"/>,
/// an immutable view replaced whole after each change (file first, then the snapshot).
/// </para>
/// </summary>
public sealed class DynamicBrokerConfig
{
    /// <summary>Broker keys that may change dynamically: the primary broker synonym of each topic key.</summary>
    public static IReadOnlySet<string> DynamicKeys { get; } = TopicConfigDefinitions.All
        .Where(k => k.BrokerSynonyms.Count > 0)
        .Select(k => k.BrokerSynonyms[0])
        .ToHashSet(StringComparer.Ordinal);

    private readonly Lock _lock = new();
    private readonly string _dir;
    private State _state;

    private DynamicBrokerConfig(BrokerConfig staticConfig, State state)
    {
        Static = staticConfig;
        _dir = staticConfig.LogDirs[0];
        _state = state;
    }

    /// <summary>An immutable view: both dynamic layers and the effective configuration they give.</summary>
    public sealed record State(IReadOnlyDictionary<string, string> Default, IReadOnlyDictionary<string, string> Broker, BrokerConfig Effective);

    /// <summary>The configuration from the file and <c>--override</c>s.</summary>
    public BrokerConfig Static { get; }

    public State Snapshot => Volatile.Read(ref _state);

    /// <summary>The configuration in force: static with both dynamic layers applied.</summary>
    public BrokerConfig Current => Snapshot.Effective;

    /// <summary>Reads the stored dynamic configs of the broker whose static config is given.</summary>
    /// <exception cref="InvalidDataException">The file is unreadable, or holds a value that is no longer valid.</exception>
    public static DynamicBrokerConfig Load(BrokerConfig staticConfig)
    {
        var (defaults, broker) = DynamicBrokerConfigFile.Read(staticConfig.LogDirs[0]);
        try
        {
            return new DynamicBrokerConfig(staticConfig, new State(defaults, broker, Merge(staticConfig, defaults, broker)));
        }
        catch (ConfigException e)
        {
            throw new InvalidDataException($"{DynamicBrokerConfigFile.FileName}: {e.Message}", e);
        }
    }

    /// <summary>The dynamic configs of one layer.</summary>
    public IReadOnlyDictionary<string, string> Layer(bool perBroker) => perBroker ? Snapshot.Broker : Snapshot.Default;

    /// <summary>
    /// Replaces one layer (all of its keys) after validating it; with <paramref name="validateOnly"/>
    /// only validates. <paramref name="update"/> computes the new layer from the current one, under the
    /// lock, so read-modify-write (IncrementalAlterConfigs) cannot lose a concurrent change.
    /// Returns the new effective configuration, or null when only validated.
    /// </summary>
    /// <exception cref="ConfigException">A key that cannot change dynamically, or an invalid value.</exception>
    public BrokerConfig? Replace(bool perBroker, Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>> update, bool validateOnly)
    {
        lock (_lock)
        {
            var current = _state;
            var layer = update(perBroker ? current.Broker : current.Default);
            var nonDynamic = layer.Keys.Where(k => !DynamicKeys.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (nonDynamic.Count > 0)
            {
                throw new ConfigException(nonDynamic[0], $"Cannot update these configs dynamically: [{string.Join(", ", nonDynamic)}]");
            }
            var defaults = perBroker ? current.Default : layer;
            var broker = perBroker ? layer : current.Broker;
            var effective = Merge(Static, defaults, broker);
            if (validateOnly)
            {
                return null;
            }
            DynamicBrokerConfigFile.Write(_dir, defaults, broker);
            Volatile.Write(ref _state, new State(new Dictionary<string, string>(defaults), new Dictionary<string, string>(broker), effective));
            return effective;
        }
    }

    /// <summary>Static properties, then the cluster defaults, then the per-broker values; parsed and validated as a whole.</summary>
    private static BrokerConfig Merge(BrokerConfig staticConfig, IReadOnlyDictionary<string, string> defaults, IReadOnlyDictionary<string, string> broker)
    {
        if (defaults.Count == 0 && broker.Count == 0)
        {
            return staticConfig;
        }
        var properties = new Dictionary<string, string>(staticConfig.OriginalProperties, StringComparer.Ordinal);
        foreach (var (key, value) in defaults)
        {
            properties[key] = value;
        }
        foreach (var (key, value) in broker)
        {
            properties[key] = value;
        }
        return BrokerConfig.FromProperties(properties).Config;
    }
}
