using Gregor.Broker.Config;
using static Gregor.Broker.Tests.Config.BrokerConfigTestHelpers;

namespace Gregor.Broker.Tests.Config;

/// <summary>Configuration files a Kafka 3.x user brings: KRaft's node.id and KRaft-only keys; Kafka's listing format.</summary>
public sealed class KafkaUserConfigTests
{
    // The broker-relevant part of Kafka 3.x's config/kraft/server.properties.
    private const string KRaftFile = """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@localhost:9093
        listeners=PLAINTEXT://:9092,CONTROLLER://:9093
        inter.broker.listener.name=PLAINTEXT
        advertised.listeners=PLAINTEXT://localhost:9092
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
        num.network.threads=3
        log.dirs=/tmp/kraft-combined-logs
        num.partitions=1
        offsets.topic.replication.factor=1
        """;

    [Fact]
    public void Node_id_alone_is_the_broker_id()
    {
        var c = Cfg("node.id=7");
        Assert.Equal(7, c.BrokerId);
        Assert.Equal(7, c.Get("node.id"));
    }

    [Fact]
    public void Broker_id_alone_is_the_node_id()
    {
        Assert.Equal(4, Cfg("broker.id=4").Get("node.id"));
    }

    [Fact]
    public void Different_node_id_and_broker_id_are_refused()
    {
        var e = Invalid("broker.id=1", "node.id=2");
        Assert.Equal("node.id", e.Key);
        Assert.Contains("same value as `broker.id`", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, Cfg("broker.id=2", "node.id=2").BrokerId);
    }

    [Fact]
    public void A_KRaft_file_loads_with_one_warning_naming_the_KRaft_keys()
    {
        var result = BrokerConfig.FromProperties(JavaProperties.ParseToDictionary(KRaftFile));

        Assert.Equal(1, result.Config.BrokerId);
        var kraft = Assert.Single(result.Warnings, w => w.Contains("KRaft", StringComparison.Ordinal));
        Assert.Contains("without KRaft", kraft, StringComparison.Ordinal);
        foreach (var key in new[] { "process.roles", "controller.quorum.voters", "controller.listener.names" })
        {
            Assert.Contains(key, kraft, StringComparison.Ordinal);
            Assert.DoesNotContain(result.Warnings, w => w != kraft && w.Contains(key, StringComparison.Ordinal));
        }
        // Not a KRaft key, and not one Gregor knows: the ordinary warning.
        Assert.Contains(result.Warnings, w => w.Contains("'inter.broker.listener.name'", StringComparison.Ordinal));
        Assert.Equal(2, result.Warnings.Count);
    }

    [Fact]
    public void The_listing_is_Kafkas_KafkaConfig_block()
    {
        var lines = Cfg("num.partitions=3").FormatEffectiveValues().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("KafkaConfig values:", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^\t[a-z0-9.]+ = ", l));
        Assert.Contains("\tnum.partitions = 3", lines);
        Assert.Contains("\tssl.keystore.password = [hidden]", lines);
        Assert.Equal(lines.Skip(1).Order(StringComparer.Ordinal), lines.Skip(1));
    }
}
