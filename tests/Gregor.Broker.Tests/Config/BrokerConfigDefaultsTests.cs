using Gregor.Broker.Config;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Tests.Config;

/// <summary>Defaults must be Kafka's (3.x) except where Gregor says otherwise.</summary>
public class BrokerConfigDefaultsTests
{
    private static readonly BrokerConfig D = BrokerConfig.Default;

    [Theory]
    [InlineData("broker.id", "0")] // Gregor: Kafka's -1 asks for a generated id, which Gregor does not do
    [InlineData("port", "9092")]
    [InlineData("host.name", "")]
    [InlineData("listeners", null)]
    [InlineData("advertised.listeners", null)]
    [InlineData("zookeeper.connect", null)]
    [InlineData("zookeeper.session.timeout.ms", "18000")]
    [InlineData("zookeeper.connection.timeout.ms", null)]
    [InlineData("log.dir", "/tmp/kafka-logs")]
    [InlineData("log.dirs", null)]
    [InlineData("num.recovery.threads.per.data.dir", "1")]
    [InlineData("auto.create.topics.enable", "true")]
    [InlineData("num.partitions", "1")]
    [InlineData("default.replication.factor", "1")]
    [InlineData("log.retention.ms", null)]
    [InlineData("log.retention.minutes", null)]
    [InlineData("log.retention.hours", "168")]
    [InlineData("log.retention.bytes", "-1")]
    [InlineData("log.segment.bytes", "1073741824")]
    [InlineData("log.roll.ms", null)]
    [InlineData("log.roll.hours", "168")]
    [InlineData("log.roll.jitter.ms", null)]
    [InlineData("log.roll.jitter.hours", "0")]
    [InlineData("log.retention.check.interval.ms", "300000")]
    [InlineData("log.index.interval.bytes", "4096")]
    [InlineData("log.index.size.max.bytes", "10485760")]
    [InlineData("message.max.bytes", "1048588")]
    [InlineData("socket.request.max.bytes", "104857600")]
    [InlineData("socket.send.buffer.bytes", "102400")]
    [InlineData("socket.receive.buffer.bytes", "102400")]
    [InlineData("log.flush.interval.messages", "9223372036854775807")]
    [InlineData("log.flush.interval.ms", null)]
    [InlineData("log.flush.scheduler.interval.ms", "9223372036854775807")]
    [InlineData("log.cleanup.policy", "delete")]
    [InlineData("log.cleaner.enable", "true")]
    [InlineData("log.cleaner.delete.retention.ms", "86400000")]
    [InlineData("log.cleaner.min.cleanable.ratio", "0.5")]
    [InlineData("log.cleaner.min.compaction.lag.ms", "0")]
    [InlineData("log.cleaner.max.compaction.lag.ms", "9223372036854775807")]
    [InlineData("log.cleaner.threads", "1")]
    [InlineData("log.cleaner.dedupe.buffer.size", "134217728")]
    [InlineData("log.cleaner.backoff.ms", "15000")]
    [InlineData("log.segment.delete.delay.ms", "60000")]
    [InlineData("log.message.timestamp.type", "CreateTime")]
    [InlineData("log.message.timestamp.difference.max.ms", "9223372036854775807")]
    [InlineData("log.preallocate", "false")]
    [InlineData("compression.type", "producer")]
    [InlineData("max.connections", "10000")] // Gregor: Kafka's is Int.MaxValue
    [InlineData("queued.max.request.bytes", "536870912")] // Gregor: Kafka's is -1 (no bound)
    [InlineData("connections.max.idle.ms", "600000")]
    [InlineData("num.network.threads", "3")]
    [InlineData("num.io.threads", "8")]
    [InlineData("queued.max.requests", "500")]
    [InlineData("offsets.topic.num.partitions", "50")]
    [InlineData("offsets.topic.replication.factor", "3")]
    [InlineData("offsets.topic.segment.bytes", "104857600")]
    [InlineData("offsets.retention.minutes", "10080")]
    [InlineData("offsets.retention.check.interval.ms", "600000")]
    [InlineData("offsets.commit.timeout.ms", "5000")]
    [InlineData("group.min.session.timeout.ms", "6000")]
    [InlineData("group.max.session.timeout.ms", "1800000")]
    [InlineData("group.initial.rebalance.delay.ms", "3000")]
    [InlineData("group.max.size", "2147483647")]
    [InlineData("transactional.id.expiration.ms", "604800000")]
    [InlineData("transaction.max.timeout.ms", "900000")]
    [InlineData("transaction.state.log.num.partitions", "50")]
    [InlineData("transaction.state.log.replication.factor", "3")]
    [InlineData("transaction.state.log.min.isr", "2")]
    [InlineData("producer.id.expiration.ms", "86400000")]
    [InlineData("delete.topic.enable", "true")]
    [InlineData("controlled.shutdown.enable", "true")]
    [InlineData("unclean.leader.election.enable", "false")]
    [InlineData("min.insync.replicas", "1")]
    [InlineData("replica.lag.time.max.ms", "30000")]
    [InlineData("replica.fetch.max.bytes", "1048576")]
    [InlineData("fetch.max.bytes", "57671680")]
    [InlineData("broker.rack", null)]
    [InlineData("log.level", "Information")] // Gregor-specific
    public void Default_matches_Kafka(string key, string? expected)
    {
        Assert.Equal(expected, ConfigValues.Format(D.Get(key)));
    }

    [Fact]
    public void Derived_defaults()
    {
        Assert.Equal(168L * 3600 * 1000, D.RetentionMs);
        Assert.Equal(168L * 3600 * 1000, D.RollMs);
        Assert.Equal(0, D.RollJitterMs);
        Assert.Equal(long.MaxValue, D.FlushIntervalMs);
        Assert.Equal(18000, D.ZooKeeperConnectionTimeoutMs);
        Assert.Null(D.ZooKeeperConnect);
        Assert.Equal(["/tmp/kafka-logs"], D.LogDirs);
        Assert.Equal(CleanupPolicy.Delete, D.CleanupPolicy);
        Assert.Equal(MessageTimestampType.CreateTime, D.MessageTimestampType);
        Assert.Equal(LogLevel.Information, D.LogLevel);
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "", 9092)], D.EffectiveListeners);
    }

    [Fact]
    public void Every_catalog_default_passes_its_own_validator()
    {
        foreach (var key in BrokerConfigDefinitions.All)
        {
            if (key.Default is not null && key.Validator is not null)
            {
                Assert.Null(key.Validator.Check(key.Default));
            }
        }
    }

    [Fact]
    public void Topic_and_broker_catalogs_agree_on_equivalents()
    {
        foreach (var brokerKey in BrokerConfigDefinitions.All.Where(k => k.TopicKey is not null))
        {
            Assert.True(TopicConfigDefinitions.TryGet(brokerKey.TopicKey!, out var topicKey), brokerKey.Name);
            Assert.Contains(brokerKey.Name, topicKey.BrokerSynonyms);
        }
        foreach (var topicKey in TopicConfigDefinitions.All)
        {
            foreach (var synonym in topicKey.BrokerSynonyms.Where(s => s != "log.flush.scheduler.interval.ms"))
            {
                Assert.Equal(topicKey.Name, BrokerConfigDefinitions.Get(synonym).TopicKey);
            }
        }
    }

    [Fact]
    public void Catalog_names_are_unique()
    {
        Assert.Equal(BrokerConfigDefinitions.All.Count, BrokerConfigDefinitions.All.Select(k => k.Name).Distinct().Count());
        Assert.Equal(TopicConfigDefinitions.All.Count, TopicConfigDefinitions.All.Select(k => k.Name).Distinct().Count());
    }
}
