using Gregor.Broker.Config;

namespace Gregor.Broker.Admin;

/// <summary>
/// Configs as DescribeConfigs reports them once dynamic broker configs exist. Each entry's
/// synonyms list every place its value could come from, highest precedence first: the topic
/// override (DYNAMIC_TOPIC_CONFIG), this broker's dynamic value (DYNAMIC_BROKER_CONFIG), the
/// cluster-wide dynamic default (DYNAMIC_DEFAULT_BROKER_CONFIG), the static file
/// (STATIC_BROKER_CONFIG), the built-in default (DEFAULT_CONFIG); the entry's source is the first.
/// </summary>
public static class ConfigDescriber
{
    /// <summary>A topic's configs: every topic key (sorted) or the requested ones that exist.</summary>
    /// <exception cref="ConfigException">A stored override no longer validates.</exception>
    public static IReadOnlyList<DescribedConfig> DescribeTopic(DynamicBrokerConfig brokers, IReadOnlyDictionary<string, string> overrides, IReadOnlyList<string>? names)
    {
        var snapshot = brokers.Snapshot;
        // Values come from the effective config; the static-only description supplies the
        // STATIC_BROKER_CONFIG / DEFAULT_CONFIG synonyms, which the dynamic layers go in front of.
        var effective = TopicConfigDefinitions.Describe(snapshot.Effective, overrides, names);
        var statics = TopicConfigDefinitions.Describe(brokers.Static, overrides, names);
        var result = new List<DescribedConfig>(effective.Count);
        for (var i = 0; i < effective.Count; i++)
        {
            TopicConfigDefinitions.TryGet(effective[i].Name, out var key);
            var synonyms = new List<ConfigSynonym>();
            synonyms.AddRange(statics[i].Synonyms.Where(s => s.Source == ConfigSource.DynamicTopicConfig));
            synonyms.AddRange(DynamicSynonyms(snapshot, key.BrokerSynonyms));
            synonyms.AddRange(statics[i].Synonyms.Where(s => s.Source != ConfigSource.DynamicTopicConfig));
            result.Add(effective[i] with
            {
                Source = synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig,
                Synonyms = synonyms,
            });
        }
        return result;
    }

    /// <summary>
    /// This broker's configs (resource name = its id): every broker key (sorted) or the requested
    /// ones. Keys that can change dynamically are not read-only.
    /// </summary>
    public static IReadOnlyList<DescribedConfig> DescribeBroker(DynamicBrokerConfig brokers, IReadOnlyList<string>? names)
    {
        var snapshot = brokers.Snapshot;
        var custom = snapshot.Broker.Keys.Concat(snapshot.Default.Keys)
            .Where(n => !BrokerConfigDefinitions.TryGet(n, out _))
            .Distinct(StringComparer.Ordinal);
        var wanted = names ?? BrokerConfigDefinitions.All.Select(k => k.Name).Concat(custom).Order(StringComparer.Ordinal).ToList();
        var result = new List<DescribedConfig>();
        foreach (var name in wanted)
        {
            if (BrokerConfigDefinitions.TryGet(name, out var key))
            {
                result.Add(DescribeBrokerKey(brokers, snapshot, key, clusterDefaultsOnly: false));
            }
            else if (DescribeCustomKey(snapshot, name, clusterDefaultsOnly: false) is { } entry)
            {
                result.Add(entry);
            }
        }
        return result;
    }

    /// <summary>
    /// The cluster-wide dynamic defaults (resource name ""): only the keys set there, each with
    /// source DYNAMIC_DEFAULT_BROKER_CONFIG, as Kafka lists them.
    /// </summary>
    public static IReadOnlyList<DescribedConfig> DescribeClusterDefaults(DynamicBrokerConfig brokers, IReadOnlyList<string>? names)
    {
        var snapshot = brokers.Snapshot;
        return snapshot.Default.Keys
            .Where(k => names is null || names.Contains(k))
            .Order(StringComparer.Ordinal)
            .Select(k => BrokerConfigDefinitions.TryGet(k, out var key)
                ? DescribeBrokerKey(brokers, snapshot, key, clusterDefaultsOnly: true)
                : DescribeCustomKey(snapshot, k, clusterDefaultsOnly: true)!)
            .ToList();
    }

    /// <summary>
    /// A dynamic key outside the catalog (a per-listener override, or a key Kafka allows as
    /// custom): its type is its base key's for a per-listener override, else unknown; null when
    /// it is set in neither layer.
    /// </summary>
    private static DescribedConfig? DescribeCustomKey(DynamicBrokerConfig.State snapshot, string name, bool clusterDefaultsOnly)
    {
        var synonyms = DynamicSynonyms(snapshot, [name])
            .Where(s => !clusterDefaultsOnly || s.Source == ConfigSource.DynamicDefaultBrokerConfig)
            .ToList();
        if (synonyms.Count == 0)
        {
            return null;
        }
        var sensitive = DynamicBrokerKeys.IsPassword(name);
        if (sensitive)
        {
            synonyms = synonyms.Select(s => s with { Value = null }).ToList();
        }
        var type = DynamicBrokerKeys.ListenerBaseName(name) is { } baseName && BrokerConfigDefinitions.TryGet(baseName, out var baseKey)
            ? baseKey.Type
            : ConfigType.Unknown;
        return new DescribedConfig(name, synonyms[0].Value, synonyms[0].Source, sensitive, ReadOnly: false, type, null, synonyms);
    }

    private static DescribedConfig DescribeBrokerKey(DynamicBrokerConfig brokers, DynamicBrokerConfig.State snapshot, ConfigKey key, bool clusterDefaultsOnly)
    {
        // A key's synonyms are the broker keys it shares a value with (log.retention.ms, .minutes, .hours).
        IReadOnlyList<string> names = key.TopicKey is { } topicKey && TopicConfigDefinitions.TryGet(topicKey, out var topic) && topic.BrokerSynonyms[0] == key.Name
            ? topic.BrokerSynonyms
            : [key.Name];
        var synonyms = new List<ConfigSynonym>(DynamicSynonyms(snapshot, names));
        foreach (var name in names)
        {
            if (brokers.Static.IsSet(name))
            {
                synonyms.Add(new ConfigSynonym(name, Hide(key, brokers.Static.OriginalProperties[name]), ConfigSource.StaticBrokerConfig));
            }
        }
        foreach (var name in names)
        {
            if (BrokerConfigDefinitions.Get(name).Default is { } d)
            {
                synonyms.Add(new ConfigSynonym(name, Hide(key, ConfigValues.Format(d)), ConfigSource.DefaultConfig));
            }
        }
        if (clusterDefaultsOnly)
        {
            synonyms.RemoveAll(s => s.Source != ConfigSource.DynamicDefaultBrokerConfig);
        }
        var value = clusterDefaultsOnly ? snapshot.Default[key.Name] : ConfigValues.Format(snapshot.Effective.Get(key.Name));
        return new DescribedConfig(key.Name, Hide(key, value), synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig,
            key.Sensitive, ReadOnly: !DynamicBrokerKeys.All.Contains(key.Name), key.Type, key.Documentation, synonyms);
    }

    private static IEnumerable<ConfigSynonym> DynamicSynonyms(DynamicBrokerConfig.State snapshot, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (snapshot.Broker.TryGetValue(name, out var v))
            {
                yield return new ConfigSynonym(name, v, ConfigSource.DynamicBrokerConfig);
            }
        }
        foreach (var name in names)
        {
            if (snapshot.Default.TryGetValue(name, out var v))
            {
                yield return new ConfigSynonym(name, v, ConfigSource.DynamicDefaultBrokerConfig);
            }
        }
    }

    private static string? Hide(ConfigKey key, string? value) => key.Sensitive ? null : value;
}
