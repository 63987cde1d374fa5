using Gregor.Broker.Config;
using static Gregor.Broker.Tests.Config.BrokerConfigTestHelpers;

namespace Gregor.Broker.Tests.Config;

public class TopicConfigTests
{
    private static readonly Dictionary<string, string> None = [];

    [Fact]
    public void Without_overrides_a_topic_takes_the_broker_defaults()
    {
        var t = TopicConfigDefinitions.Resolve(BrokerConfig.Default, None);
        Assert.Equal(1073741824, t.SegmentBytes);
        Assert.Equal(168L * 3600000, t.SegmentMs);
        Assert.Equal(168L * 3600000, t.RetentionMs);
        Assert.Equal(-1L, t.RetentionBytes);
        Assert.Equal(4096, t.IndexIntervalBytes);
        Assert.Equal(10485760, t.SegmentIndexBytes);
        Assert.Equal(long.MaxValue, t.FlushMessages);
        Assert.Equal(long.MaxValue, t.FlushMs);
        Assert.Equal(CleanupPolicy.Delete, t.CleanupPolicy);
        Assert.Equal(86400000L, t.DeleteRetentionMs);
        Assert.Equal(0.5, t.MinCleanableDirtyRatio);
        Assert.Equal(0L, t.MinCompactionLagMs);
        Assert.Equal(long.MaxValue, t.MaxCompactionLagMs);
        Assert.Equal(60000L, t.FileDeleteDelayMs);
        Assert.Equal(MessageTimestampType.CreateTime, t.MessageTimestampType);
        Assert.Equal(1048588, t.MaxMessageBytes);
        Assert.Equal("producer", t.CompressionType);
        Assert.Equal(1, t.MinInSyncReplicas);
        Assert.False(t.UncleanLeaderElectionEnable);
        Assert.False(t.Preallocate);
        Assert.True(t.MessageDownconversionEnable);
        Assert.Equal(0L, t.SegmentJitterMs);
    }

    [Fact]
    public void Broker_settings_flow_into_topic_defaults()
    {
        var broker = Cfg("log.retention.minutes=30", "log.segment.bytes=1000", "message.max.bytes=2000", "log.cleanup.policy=compact",
            "log.roll.hours=2", "log.flush.scheduler.interval.ms=3000", "compression.type=zstd", "log.roll.jitter.ms=5");
        var t = TopicConfigDefinitions.Resolve(broker, None);
        Assert.Equal(30L * 60000, t.RetentionMs);
        Assert.Equal(1000, t.SegmentBytes);
        Assert.Equal(2000, t.MaxMessageBytes);
        Assert.Equal(CleanupPolicy.Compact, t.CleanupPolicy);
        Assert.Equal(7200000L, t.SegmentMs);
        Assert.Equal(3000L, t.FlushMs);
        Assert.Equal("zstd", t.CompressionType);
        Assert.Equal(5L, t.SegmentJitterMs);
    }

    [Fact]
    public void Overrides_beat_broker_defaults()
    {
        var broker = Cfg("log.retention.hours=1", "log.segment.bytes=1000");
        var overrides = new Dictionary<string, string>
        {
            ["retention.ms"] = "-1",
            ["segment.bytes"] = "2048",
            ["cleanup.policy"] = "compact,delete",
            ["max.message.bytes"] = "5000000",
            ["segment.ms"] = "60000",
            ["min.cleanable.dirty.ratio"] = "0.1",
            ["message.timestamp.type"] = "LogAppendTime",
        };
        var t = TopicConfigDefinitions.Resolve(broker, overrides);
        Assert.Equal(-1L, t.RetentionMs);
        Assert.Equal(2048, t.SegmentBytes);
        Assert.Equal(CleanupPolicy.Compact | CleanupPolicy.Delete, t.CleanupPolicy);
        Assert.Equal(5000000, t.MaxMessageBytes);
        Assert.Equal(60000L, t.SegmentMs);
        Assert.Equal(0.1, t.MinCleanableDirtyRatio);
        Assert.Equal(MessageTimestampType.LogAppendTime, t.MessageTimestampType);
        Assert.Equal(overrides, t.Overrides);
    }

    [Theory]
    [InlineData("segment.bytes", "10", "Invalid value 10 for configuration segment.bytes: must be at least 14")]
    [InlineData("retention.ms", "-2", "Invalid value -2 for configuration retention.ms: must be at least -1")]
    [InlineData("retention.ms", "forever", "Invalid value forever for configuration retention.ms: not a number")]
    [InlineData("cleanup.policy", "archive", "Invalid value archive for configuration cleanup.policy: 'archive' is not one of: compact, delete")]
    [InlineData("compression.type", "brotli", "Invalid value brotli for configuration compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer")]
    [InlineData("min.cleanable.dirty.ratio", "2", "Invalid value 2 for configuration min.cleanable.dirty.ratio: must be between 0 and 1")]
    [InlineData("message.timestamp.type", "createtime", "Invalid value createtime for configuration message.timestamp.type: must be one of: CreateTime, LogAppendTime")]
    [InlineData("segment.ms", "0", "Invalid value 0 for configuration segment.ms: must be at least 1")]
    [InlineData("min.insync.replicas", "0", "Invalid value 0 for configuration min.insync.replicas: must be at least 1")]
    [InlineData("preallocate", "maybe", "Invalid value maybe for configuration preallocate: expected value to be either true or false")]
    [InlineData("segment.index.bytes", "3", "Invalid value 3 for configuration segment.index.bytes: must be at least 4")]
    public void Bad_overrides_are_rejected_in_kafkas_wording(string key, string value, string message)
    {
        var e = Assert.Throws<ConfigException>(() => TopicConfigDefinitions.Validate(new Dictionary<string, string> { [key] = value }));
        Assert.Equal(key, e.Key);
        Assert.Equal(value, e.Value);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Unknown_topic_key_is_rejected()
    {
        var e = Assert.Throws<ConfigException>(() => TopicConfigDefinitions.Validate(new Dictionary<string, string> { ["log.retention.ms"] = "1" }));
        Assert.Equal("log.retention.ms", e.Key);
        Assert.Equal("Unknown topic config name: log.retention.ms", e.Message);
    }

    [Fact]
    public void Min_compaction_lag_may_not_exceed_max()
    {
        var e = Assert.Throws<ConfigException>(() => TopicConfigDefinitions.Validate(
            new Dictionary<string, string> { ["min.compaction.lag.ms"] = "10", ["max.compaction.lag.ms"] = "5" }));
        Assert.Equal("min.compaction.lag.ms", e.Key);
    }

    [Fact]
    public void Validate_returns_typed_values()
    {
        var typed = TopicConfigDefinitions.Validate(new Dictionary<string, string> { ["retention.ms"] = " 1000 ", ["preallocate"] = "TRUE" });
        Assert.Equal(1000L, typed["retention.ms"]);
        Assert.Equal(true, typed["preallocate"]);
    }

    [Fact]
    public void Describe_sources_override_then_static_broker_then_default()
    {
        var broker = Cfg("log.retention.minutes=30", "log.segment.bytes=1000");
        var described = TopicConfigDefinitions.Describe(broker, new Dictionary<string, string> { ["cleanup.policy"] = "compact" })
            .ToDictionary(d => d.Name);

        var cleanup = described["cleanup.policy"];
        Assert.Equal("compact", cleanup.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, cleanup.Source);
        Assert.False(cleanup.IsDefault);
        Assert.Equal([new ConfigSynonym("cleanup.policy", "compact", ConfigSource.DynamicTopicConfig),
            new ConfigSynonym("log.cleanup.policy", "delete", ConfigSource.DefaultConfig)], cleanup.Synonyms);

        var retention = described["retention.ms"];
        Assert.Equal("1800000", retention.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, retention.Source);
        Assert.Equal([new ConfigSynonym("log.retention.minutes", "30", ConfigSource.StaticBrokerConfig),
            new ConfigSynonym("log.retention.hours", "168", ConfigSource.DefaultConfig)], retention.Synonyms);

        Assert.Equal(ConfigSource.StaticBrokerConfig, described["segment.bytes"].Source);
        Assert.Equal("1000", described["segment.bytes"].Value);

        var maxMessage = described["max.message.bytes"];
        Assert.Equal("1048588", maxMessage.Value);
        Assert.Equal(ConfigSource.DefaultConfig, maxMessage.Source);
        Assert.True(maxMessage.IsDefault);
        Assert.Equal(ConfigType.Int, maxMessage.Type);

        Assert.All(described.Values, d => Assert.False(d.IsSensitive));
        Assert.All(described.Values, d => Assert.False(d.ReadOnly));
        Assert.Equal(TopicConfigDefinitions.All.Count, described.Count);
    }

    [Fact]
    public void Describe_selected_names_only()
    {
        var described = TopicConfigDefinitions.Describe(BrokerConfig.Default, None, ["segment.ms", "nope", "retention.bytes"]);
        Assert.Equal(["segment.ms", "retention.bytes"], described.Select(d => d.Name));
        Assert.Equal(ConfigType.Long, described[0].Type);
        Assert.Equal("-1", described[1].Value);
    }

    [Fact]
    public void Config_source_and_type_ids_are_kafkas()
    {
        Assert.Equal(1, (int)ConfigSource.DynamicTopicConfig);
        Assert.Equal(2, (int)ConfigSource.DynamicBrokerConfig);
        Assert.Equal(3, (int)ConfigSource.DynamicDefaultBrokerConfig);
        Assert.Equal(4, (int)ConfigSource.StaticBrokerConfig);
        Assert.Equal(5, (int)ConfigSource.DefaultConfig);
        Assert.Equal(6, (int)ConfigSource.DynamicBrokerLoggerConfig);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9],
            new[] { ConfigType.Boolean, ConfigType.String, ConfigType.Int, ConfigType.Short, ConfigType.Long, ConfigType.Double, ConfigType.List, ConfigType.Class, ConfigType.Password }
                .Select(t => (int)t));
    }
}
