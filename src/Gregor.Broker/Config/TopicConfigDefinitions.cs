using static Gregor.Broker.Config.ConfigValidator;

namespace Gregor.Broker.Config;

/// <summary>
/// The catalog of topic-level keys (Kafka's LogConfig), each with its validator and the broker
/// key(s) its default comes from; and the operations on topic overrides: validate them,
/// resolve a topic's effective config, and describe it for DescribeConfigs.
/// </summary>
public static class TopicConfigDefinitions
{
    /// <summary>Every topic key, in catalog order.</summary>
    public static IReadOnlyList<TopicConfigKey> All { get; } =
    [
        Topic("cleanup.policy", ConfigType.List, ListOf(BrokerConfigDefinitions.CleanupPolicies), "delete, compact, or both.", b => b.Get("log.cleanup.policy"), "log.cleanup.policy"),
        Topic("compression.type", ConfigType.String, OneOf(BrokerConfigDefinitions.CompressionTypes), "Codec batches are stored with; producer keeps the producer's.", b => b.CompressionType, "compression.type"),
        Topic("compression.gzip.level", ConfigType.Int, BrokerConfigDefinitions.Get("compression.gzip.level").Validator, "Compression level of gzip when compression.type is gzip.", b => b.Get("compression.gzip.level"), "compression.gzip.level") with { NoEffectYet = true },
        Topic("compression.lz4.level", ConfigType.Int, Between(1, 17), "Compression level of lz4 when compression.type is lz4.", b => b.Get("compression.lz4.level"), "compression.lz4.level") with { NoEffectYet = true },
        Topic("compression.zstd.level", ConfigType.Int, Between(-131072, 22), "Compression level of zstd when compression.type is zstd.", b => b.Get("compression.zstd.level"), "compression.zstd.level") with { NoEffectYet = true },
        Topic("delete.retention.ms", ConfigType.Long, AtLeast(0), "How long tombstones are kept on a compacted topic (ms).", b => b.LogCleanerDeleteRetentionMs, "log.cleaner.delete.retention.ms"),
        Topic("file.delete.delay.ms", ConfigType.Long, AtLeast(0), "Wait before a .deleted segment is removed (ms).", b => b.SegmentDeleteDelayMs, "log.segment.delete.delay.ms"),
        Topic("flush.messages", ConfigType.Long, AtLeast(1), "Messages appended before an fsync.", b => b.FlushIntervalMessages, "log.flush.interval.messages"),
        Topic("flush.ms", ConfigType.Long, AtLeast(0), "Most time before an fsync (ms).", b => b.FlushIntervalMs, "log.flush.interval.ms", "log.flush.scheduler.interval.ms"),
        Topic("follower.replication.throttled.replicas", ConfigType.List, ThrottledReplicas("follower.replication.throttled.replicas"), "Replicas throttled on the follower side (partition:broker, or *).", _ => Array.Empty<string>()) with { NoEffectYet = true },
        Topic("index.interval.bytes", ConfigType.Int, AtLeast(0), "Bytes appended between two offset index entries.", b => b.LogIndexIntervalBytes, "log.index.interval.bytes"),
        Topic("leader.replication.throttled.replicas", ConfigType.List, ThrottledReplicas("leader.replication.throttled.replicas"), "Replicas throttled on the leader side (partition:broker, or *).", _ => Array.Empty<string>()) with { NoEffectYet = true },
        Topic("local.retention.bytes", ConfigType.Long, AtLeast(-2), "Tiered storage: local size per partition above which segments are deleted (bytes); -2 uses retention.bytes.", b => b.Get("log.local.retention.bytes"), "log.local.retention.bytes") with { NoEffectYet = true },
        Topic("local.retention.ms", ConfigType.Long, AtLeast(-2), "Tiered storage: age after which local segments are deleted (ms); -2 uses retention.ms.", b => b.Get("log.local.retention.ms"), "log.local.retention.ms") with { NoEffectYet = true },
        Topic("max.compaction.lag.ms", ConfigType.Long, AtLeast(1), "Most age of a record before it must be compacted (ms).", b => b.LogCleanerMaxCompactionLagMs, "log.cleaner.max.compaction.lag.ms"),
        Topic("max.message.bytes", ConfigType.Int, AtLeast(0), "Largest record batch accepted (bytes, after compression).", b => b.MessageMaxBytes, "message.max.bytes"),
        Topic("message.downconversion.enable", ConfigType.Boolean, null, "Convert batches down for old consumers.", b => b.MessageDownconversionEnable, "log.message.downconversion.enable"),
        // Deprecated since Kafka 3.0 and ignored there; validated as Kafka does.
        Topic("message.format.version", ConfigType.String, MessageFormatVersions.Validator, "Deprecated: the message format version; ignored since 3.0.", b => b.Get("log.message.format.version"), "log.message.format.version") with { NoEffectYet = true },
        Topic("message.timestamp.after.max.ms", ConfigType.Long, AtLeast(0), "Most a CreateTime timestamp may lie after the broker's clock (ms).", b => b.Get("log.message.timestamp.after.max.ms"), "log.message.timestamp.after.max.ms"),
        Topic("message.timestamp.before.max.ms", ConfigType.Long, AtLeast(0), "Most a CreateTime timestamp may lie before the broker's clock (ms).", b => b.Get("log.message.timestamp.before.max.ms"), "log.message.timestamp.before.max.ms"),
        Topic("message.timestamp.difference.max.ms", ConfigType.Long, AtLeast(0), "Deprecated: most difference between a CreateTime timestamp and the broker's clock (ms).", b => b.MessageTimestampDifferenceMaxMs, "log.message.timestamp.difference.max.ms"),
        Topic("message.timestamp.type", ConfigType.String, OneOf(BrokerConfigDefinitions.TimestampTypes), "CreateTime or LogAppendTime.", b => b.MessageTimestampType.ToString(), "log.message.timestamp.type"),
        Topic("min.cleanable.dirty.ratio", ConfigType.Double, Between(0, 1), "Least dirty share of the log for it to be cleaned.", b => b.LogCleanerMinCleanableRatio, "log.cleaner.min.cleanable.ratio"),
        Topic("min.compaction.lag.ms", ConfigType.Long, AtLeast(0), "Least age of a record before it may be compacted (ms).", b => b.LogCleanerMinCompactionLagMs, "log.cleaner.min.compaction.lag.ms"),
        Topic("min.insync.replicas", ConfigType.Int, AtLeast(1), "Least in-sync replicas for an acks=all write.", b => b.MinInSyncReplicas, "min.insync.replicas"),
        Topic("preallocate", ConfigType.Boolean, null, "Preallocate segment files.", b => b.Preallocate, "log.preallocate"),
        // Tiered storage is off in Gregor (Kafka's remote.log.storage.system.enable=false): remote.storage.enable=true is refused as Kafka refuses it then.
        Topic("remote.log.copy.disable", ConfigType.Boolean, null, "Tiered storage: stop copying segments to remote storage.", _ => false) with { NoEffectYet = true },
        Topic("remote.log.delete.on.disable", ConfigType.Boolean, null, "Tiered storage: delete remote data when remote storage is turned off.", _ => false) with { NoEffectYet = true },
        Topic("remote.storage.enable", ConfigType.Boolean, null, "Tiered storage: copy segments to remote storage.", _ => false) with { NoEffectYet = true },
        Topic("retention.bytes", ConfigType.Long, null, "Size per partition above which old segments are deleted (bytes); -1: no limit.", b => b.RetentionBytes, "log.retention.bytes"),
        Topic("retention.ms", ConfigType.Long, AtLeast(-1), "Age after which old segments are deleted (ms); -1: keep forever.", b => b.RetentionMs, "log.retention.ms", "log.retention.minutes", "log.retention.hours"),
        Topic("segment.bytes", ConfigType.Int, AtLeast(14), "Size at which a segment rolls (bytes).", b => b.LogSegmentBytes, "log.segment.bytes"),
        Topic("segment.index.bytes", ConfigType.Int, AtLeast(4), "Largest offset index per segment (bytes).", b => b.LogIndexSizeMaxBytes, "log.index.size.max.bytes"),
        Topic("segment.jitter.ms", ConfigType.Long, AtLeast(0), "Most random jitter taken off the roll time (ms).", b => b.RollJitterMs, "log.roll.jitter.ms", "log.roll.jitter.hours"),
        Topic("segment.ms", ConfigType.Long, AtLeast(1), "Age at which a segment rolls (ms).", b => b.RollMs, "log.roll.ms", "log.roll.hours"),
        Topic("unclean.leader.election.enable", ConfigType.Boolean, null, "Allow an out-of-sync replica to become leader.", b => b.UncleanLeaderElectionEnable, "unclean.leader.election.enable"),
    ];

    private static readonly Dictionary<string, TopicConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>The topic key for a name, if it is one.</summary>
    public static bool TryGet(string name, out TopicConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>
    /// Parses and validates topic overrides (as given to CreateTopics / AlterConfigs).
    /// Returns the typed values by key.
    /// </summary>
    /// <exception cref="ConfigException">An unknown key, a bad value, or conflicting values;
    /// the broker answers INVALID_CONFIG with its message.</exception>
    public static IReadOnlyDictionary<string, object> Validate(IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var typed = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, raw) in overrides)
        {
            if (!TryGet(name, out var key))
            {
                throw new ConfigException(name, $"Unknown topic config name: {name}");
            }
            if (raw is null)
            {
                throw new ConfigException(name, null, "a topic override needs a value");
            }
            typed[name] = key.Definition.Parse(raw)!;
        }
        if (typed.TryGetValue("remote.storage.enable", out var remote) && (bool)remote)
        {
            throw new ConfigException("remote.storage.enable", "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.");
        }
        if (typed.TryGetValue("min.compaction.lag.ms", out var min) && typed.TryGetValue("max.compaction.lag.ms", out var max)
            && (long)min > (long)max)
        {
            throw new ConfigException("min.compaction.lag.ms", overrides["min.compaction.lag.ms"],
                $"conflicts with max.compaction.lag.ms={overrides["max.compaction.lag.ms"]}: it must not be larger");
        }
        return typed;
    }

    /// <summary>A topic's effective config: its validated overrides over the broker's defaults.</summary>
    /// <exception cref="ConfigException">See <see cref="Validate"/>.</exception>
    public static TopicConfig Resolve(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var typed = Validate(overrides);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var key in All)
        {
            values[key.Name] = typed.TryGetValue(key.Name, out var v) ? v : key.DefaultFrom(broker);
        }
        return new TopicConfig(values, new Dictionary<string, string>(overrides, StringComparer.Ordinal));
    }

    /// <summary>
    /// A topic's configs as DescribeConfigs reports them: the effective value; source
    /// DYNAMIC_TOPIC_CONFIG for an override, STATIC_BROKER_CONFIG when a broker synonym was
    /// set in the broker's file or overrides, else DEFAULT_CONFIG; never sensitive or
    /// read-only. Synonyms list the override, then the broker keys set, then the broker keys'
    /// defaults, highest precedence first.
    /// </summary>
    /// <param name="names">The keys asked for (unknown names are skipped); null for all, sorted.</param>
    /// <exception cref="ConfigException">An override is invalid (see <see cref="Validate"/>).</exception>
    public static IReadOnlyList<DescribedConfig> Describe(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides, IEnumerable<string>? names = null)
    {
        var config = Resolve(broker, overrides);
        var keys = names is null
            ? All.OrderBy(k => k.Name, StringComparer.Ordinal)
            : names.Select(n => TryGet(n, out var k) ? k : null).OfType<TopicConfigKey>();
        return keys.Select(k => DescribeKey(broker, overrides, config, k)).ToList();
    }

    private static DescribedConfig DescribeKey(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides, TopicConfig config, TopicConfigKey key)
    {
        var synonyms = new List<ConfigSynonym>();
        if (overrides.TryGetValue(key.Name, out var overridden))
        {
            synonyms.Add(new ConfigSynonym(key.Name, ConfigValues.Format(key.Definition.Parse(overridden)), ConfigSource.DynamicTopicConfig));
        }
        foreach (var brokerKey in key.BrokerSynonyms)
        {
            if (broker.IsSet(brokerKey))
            {
                synonyms.Add(new ConfigSynonym(brokerKey, ConfigValues.Format(broker.Get(brokerKey)), ConfigSource.StaticBrokerConfig));
            }
        }
        foreach (var brokerKey in key.BrokerSynonyms)
        {
            if (BrokerConfigDefinitions.Get(brokerKey).Default is { } d)
            {
                synonyms.Add(new ConfigSynonym(brokerKey, ConfigValues.Format(d), ConfigSource.DefaultConfig));
            }
        }
        var source = synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig;
        return new DescribedConfig(key.Name, ConfigValues.Format(config.Get(key.Name)), source, IsSensitive: false, ReadOnly: false,
            key.Type, key.Definition.Documentation, synonyms);
    }

    // Kafka's form of a throttled replica list: the single entry "*", or partition:broker entries.
    private static ConfigValidator ThrottledReplicas(string name) => Custom(
        v => v is IReadOnlyList<string> list && (string.Concat(list) == "*" || list.All(IsReplicaEntry))
            ? null
            : $"{name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
        "[partitionId]:[brokerId],[partitionId]:[brokerId],...");

    private static bool IsReplicaEntry(string entry)
    {
        if (entry.Length == 0)
        {
            return true;
        }
        var colon = entry.IndexOf(':');
        return colon > 0 && colon < entry.Length - 1
            && !entry.AsSpan(0, colon).ContainsAnyExceptInRange('0', '9')
            && !entry.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9');
    }

    private static TopicConfigKey Topic(string name, ConfigType type, ConfigValidator? validator, string doc, Func<BrokerConfig, object?> defaultFrom, params string[] synonyms)
    {
        foreach (var synonym in synonyms)
        {
            if (!BrokerConfigDefinitions.TryGet(synonym, out _))
            {
                throw new InvalidOperationException($"topic key {name}: {synonym} is not a broker key");
            }
        }
        return new TopicConfigKey(new ConfigKey(name, type, defaultFrom(BrokerConfig.Default), validator, doc), synonyms, defaultFrom);
    }
}
