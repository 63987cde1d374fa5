using System.Text;

namespace Gregor.Broker.Config;

public sealed partial record BrokerConfig
{
    /// <summary>Printed in place of a sensitive value.</summary>
    public const string HiddenValue = "[hidden]";

    /// <summary>
    /// Every catalog key with its effective value as text, sorted by key; unset keys without
    /// a default are <c>null</c>, sensitive values are <see cref="HiddenValue"/>.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> EffectiveValues() =>
        BrokerConfigDefinitions.All
            .OrderBy(k => k.Name, StringComparer.Ordinal)
            .Select(k => new KeyValuePair<string, string>(k.Name, k.Sensitive ? HiddenValue : ConfigValues.Format(_values[k.Name]) ?? "null"))
            .ToList();

    /// <summary>
    /// The start-up log block, as Kafka prints its KafkaConfig: a title line, then one
    /// <c>\tkey = value</c> line per key, sorted.
    /// </summary>
    public string FormatEffectiveValues()
    {
        var sb = new StringBuilder("KafkaConfig values:\n");
        foreach (var (key, value) in EffectiveValues())
        {
            sb.Append('\t').Append(key).Append(" = ").Append(value).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// The broker's configs as DescribeConfigs reports them for a BROKER resource: static
    /// (read-only) values from the file or overrides, else defaults. Unset keys without a
    /// default are reported with a null value, as Kafka does.
    /// </summary>
    /// <param name="names">The keys asked for; null for all.</param>
    public IReadOnlyList<DescribedConfig> Describe(IEnumerable<string>? names = null)
    {
        var keys = names is null
            ? BrokerConfigDefinitions.All.OrderBy(k => k.Name, StringComparer.Ordinal)
            : names.Select(n => BrokerConfigDefinitions.TryGet(n, out var k) ? k : null).OfType<ConfigKey>();
        return keys.Select(DescribeKey).ToList();
    }

    private DescribedConfig DescribeKey(ConfigKey key)
    {
        var set = IsSet(key.Name);
        var source = set ? ConfigSource.StaticBrokerConfig : ConfigSource.DefaultConfig;
        var value = key.Sensitive ? null : ConfigValues.Format(_values[key.Name]);
        var synonyms = new List<ConfigSynonym>();
        if (set)
        {
            synonyms.Add(new ConfigSynonym(key.Name, value, ConfigSource.StaticBrokerConfig));
        }
        if (key.Default is not null)
        {
            synonyms.Add(new ConfigSynonym(key.Name, key.Sensitive ? null : ConfigValues.Format(key.Default), ConfigSource.DefaultConfig));
        }
        return new DescribedConfig(key.Name, value, source, key.Sensitive, ReadOnly: true, key.Type, key.Documentation, synonyms);
    }
}
