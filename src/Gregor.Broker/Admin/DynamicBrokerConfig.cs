using Gregor.Broker.Config;

namespace Gregor.Broker.Admin;

/// <summary>
/// Dynamic broker configs (Kafka's KIP-226): any key of <see cref="DynamicBrokerKeys.All"/> may be
/// set for the whole cluster (resource name "") or for this broker (its id), validated as Kafka
/// validates it. The log defaults among them (log.retention.ms, log.segment.bytes,
/// message.max.bytes, …) become the default of every topic that does not override them; the others
/// are stored and described until Gregor acts on them. Precedence, highest first: per-broker,
/// cluster default, the static file and <c>--override</c>s, built-in default.
/// <para>
/// Ownership: changes are serialised by <see cref="_lock"/>; readers take <see cref="Snapshot"/>,
/// an immutable view replaced whole after each change (file first, then the snapshot).
/// </para>
/// </summary>
public sealed class DynamicBrokerConfig
{
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
            ValidateLayer(layer, perBroker);
            var defaults = perBroker ? current.Default : layer;
            var broker = perBroker ? layer : current.Broker;
            var effective = Merge(Static, defaults, broker);
            ValidateThreadCounts(current.Effective, effective);
            if (validateOnly)
            {
                return null;
            }
            DynamicBrokerConfigFile.Write(_dir, defaults, broker);
            Volatile.Write(ref _state, new State(new Dictionary<string, string>(defaults), new Dictionary<string, string>(broker), effective));
            return effective;
        }
    }

    /// <summary>
    /// Kafka's checks of a dynamic layer, in Kafka's order and wording: keys that are not dynamic;
    /// key stores set without a listener prefix; values of the wrong type or out of range (a
    /// per-listener override is checked as its key); per-broker keys set as cluster defaults.
    /// Keys Kafka does not know are accepted (Kafka allows custom keys here).
    /// </summary>
    /// <exception cref="ConfigException">The first check that fails.</exception>
    private static void ValidateLayer(IReadOnlyDictionary<string, string> layer, bool perBroker)
    {
        var names = layer.Keys.Order(StringComparer.Ordinal).ToList();
        Refuse(names.Where(n => (BrokerConfigDefinitions.TryGet(n, out _) || KRaftKeys.IsKRaftKey(n)) && !DynamicBrokerKeys.All.Contains(n)),
            "Cannot update these configs dynamically");
        Refuse(names.Where(DynamicBrokerKeys.ListenerPrefixOnly.Contains),
            "These security configs can be dynamically updated only per-listener using the listener prefix");
        foreach (var name in names)
        {
            var baseName = DynamicBrokerKeys.ListenerBaseName(name) ?? name;
            if (BrokerConfigDefinitions.TryGet(baseName, out var key))
            {
                key.Parse(layer[name]);
            }
        }
        if (!perBroker)
        {
            Refuse(names.Where(n => DynamicBrokerKeys.PerBrokerOnly.Contains(n) || DynamicBrokerKeys.ListenerBaseName(n) is { } b && !IsClusterLevelListenerKey(b)),
                "Cannot update these configs at default cluster level, broker id must be specified");
        }
    }

    private static bool IsClusterLevelListenerKey(string name) => name is "max.connections" or "max.connection.creation.rate" or "num.network.threads";

    private static void Refuse(IEnumerable<string> names, string message)
    {
        var list = names.ToList();
        if (list.Count > 0)
        {
            // Kafka prints the names as a Scala set.
            throw new ConfigException(list[0], $"{message}: Set({string.Join(", ", list)})");
        }
    }

    /// <summary>Kafka's rule for a thread pool resized at run time: at least 1, at least half and at most double what it is.</summary>
    private static void ValidateThreadCounts(BrokerConfig current, BrokerConfig next)
    {
        foreach (var name in DynamicBrokerKeys.ThreadCounts.Order(StringComparer.Ordinal))
        {
            var (now, wanted) = ((int)current.Get(name)!, (int)next.Get(name)!);
            if (wanted == now)
            {
                continue;
            }
            var error = $"Dynamic thread count update validation failed for {name}={wanted}";
            if (wanted <= 0)
            {
                throw new ConfigException(name, $"{error}, value should be at least 1");
            }
            if (wanted < now / 2)
            {
                throw new ConfigException(name, $"{error}, value should be at least half the current value {now}");
            }
            if (wanted > now * 2)
            {
                throw new ConfigException(name, $"{error}, value should not be greater than double the current value {now}");
            }
        }
        var (threads, newThreads) = ((int)current.Get("log.cleaner.threads")!, (int)next.Get("log.cleaner.threads")!);
        if (newThreads == threads)
        {
            return;
        }
        if (newThreads < 1)
        {
            throw new ConfigException("log.cleaner.threads", "Log cleaner threads should be at least 1");
        }
        if (newThreads < threads / 2)
        {
            throw new ConfigException("log.cleaner.threads", $"Log cleaner threads cannot be reduced to less than half the current value {threads}");
        }
        if (newThreads > threads * 2)
        {
            throw new ConfigException("log.cleaner.threads", $"Log cleaner threads cannot be increased to more than double the current value {threads}");
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
