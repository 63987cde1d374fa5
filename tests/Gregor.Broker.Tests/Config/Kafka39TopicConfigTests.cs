using Gregor.Broker.Config;

namespace Gregor.Broker.Tests.Config;

/// <summary>Every topic config Kafka 3.9 defines is accepted with Kafka's types, defaults and validators.</summary>
public sealed class Kafka39TopicConfigTests
{
    private static readonly Dictionary<string, string> None = [];

    private static ConfigException Refused(string key, string value) =>
        Assert.Throws<ConfigException>(() => TopicConfigDefinitions.Validate(new Dictionary<string, string> { [key] = value }));

    private static void Accepted(string key, string value) =>
        TopicConfigDefinitions.Validate(new Dictionary<string, string> { [key] = value });

    [Fact]
    public void Every_Kafka_39_topic_key_is_known()
    {
        string[] kafka =
        [
            "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type", "compression.zstd.level",
            "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
            "index.interval.bytes", "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
            "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable", "message.format.version",
            "message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
            "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
            "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
            "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
        ];
        Assert.Equal(kafka, TopicConfigDefinitions.All.Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("0.10.0.0")]
    [InlineData("0.10.0")]
    [InlineData("0.10.0-IV1")]
    [InlineData("0.8.2")]
    [InlineData("2.8")]
    [InlineData("2.8.1")]
    [InlineData("3.0-IV1")]
    [InlineData("3.9")]
    [InlineData("4.0-IV0")]
    public void Message_format_version_accepts_what_Kafka_accepts(string version) => Accepted("message.format.version", version);

    [Theory]
    [InlineData("0.10")]
    [InlineData("4.0")]
    [InlineData("3.0-IV9")]
    [InlineData("v2")]
    [InlineData("")]
    public void Message_format_version_refuses_what_Kafka_refuses(string version)
    {
        var e = Refused("message.format.version", version);
        Assert.Equal($"Invalid value {version} for configuration message.format.version: Version {version} is not a valid version", e.Message);
    }

    [Theory]
    [InlineData("compression.gzip.level", "-1", true)]
    [InlineData("compression.gzip.level", "9", true)]
    [InlineData("compression.gzip.level", "0", false)]
    [InlineData("compression.gzip.level", "10", false)]
    [InlineData("compression.lz4.level", "17", true)]
    [InlineData("compression.lz4.level", "0", false)]
    [InlineData("compression.zstd.level", "-131072", true)]
    [InlineData("compression.zstd.level", "23", false)]
    [InlineData("local.retention.ms", "-2", true)]
    [InlineData("local.retention.ms", "-3", false)]
    [InlineData("local.retention.bytes", "1000", true)]
    [InlineData("remote.log.copy.disable", "true", true)]
    [InlineData("remote.log.delete.on.disable", "maybe", false)]
    [InlineData("leader.replication.throttled.replicas", "0:1,1:2", true)]
    [InlineData("leader.replication.throttled.replicas", "*", true)]
    [InlineData("follower.replication.throttled.replicas", "0-1", false)]
    public void Values_are_checked_with_Kafkas_validators(string key, string value, bool valid)
    {
        if (valid)
        {
            Accepted(key, value);
        }
        else
        {
            Assert.Contains(key, Refused(key, value).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Remote_storage_is_refused_as_Kafka_refuses_it_without_tiered_storage()
    {
        var e = Refused("remote.storage.enable", "true");
        Assert.Equal("Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.", e.Message);
        Accepted("remote.storage.enable", "false");
    }

    [Theory]
    [InlineData("message.format.version", ConfigType.String, "3.0-IV1")]
    [InlineData("compression.gzip.level", ConfigType.Int, "-1")]
    [InlineData("compression.lz4.level", ConfigType.Int, "9")]
    [InlineData("compression.zstd.level", ConfigType.Int, "3")]
    [InlineData("local.retention.ms", ConfigType.Long, "-2")]
    [InlineData("local.retention.bytes", ConfigType.Long, "-2")]
    [InlineData("remote.storage.enable", ConfigType.Boolean, "false")]
    [InlineData("remote.log.copy.disable", ConfigType.Boolean, "false")]
    [InlineData("remote.log.delete.on.disable", ConfigType.Boolean, "false")]
    public void Described_with_Kafkas_type_and_default(string key, ConfigType type, string value)
    {
        var described = Assert.Single(TopicConfigDefinitions.Describe(BrokerConfig.Default, None, [key]));
        Assert.Equal((type, value, ConfigSource.DefaultConfig), (described.Type, described.Value, described.Source));
    }

    [Fact]
    public void An_override_is_described_back_and_broker_synonyms_give_the_default()
    {
        var overridden = Assert.Single(TopicConfigDefinitions.Describe(BrokerConfig.Default,
            new Dictionary<string, string> { ["message.format.version"] = "0.10.0.0" }, ["message.format.version"]));
        Assert.Equal(("0.10.0.0", ConfigSource.DynamicTopicConfig), (overridden.Value, overridden.Source));

        var broker = BrokerConfigTestHelpers.Cfg("log.message.format.version=2.8", "compression.zstd.level=7");
        var described = TopicConfigDefinitions.Describe(broker, None, ["message.format.version", "compression.zstd.level"]);
        Assert.Equal([("2.8", ConfigSource.StaticBrokerConfig), ("7", ConfigSource.StaticBrokerConfig)], described.Select(d => (d.Value, d.Source)));
    }
}
