using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>DescribeConfigs for topics and the broker, read through Confluent.Kafka's admin client.</summary>
public sealed class DescribeConfigsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Fact]
    public async Task Topic_defaults_come_from_default_config_and_overrides_from_the_topic()
    {
        var topic = AdminClients.NewTopicName("describe");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1, new Dictionary<string, string> { ["retention.ms"] = "3600000" });

        var entries = await AdminClients.DescribeAsync(Bootstrap, ResourceType.Topic, topic);

        var retention = entries["retention.ms"];
        Assert.Equal("3600000", retention.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, retention.Source);
        Assert.False(retention.IsReadOnly);
        var segment = entries["segment.ms"];
        Assert.Equal("604800000", segment.Value);
        Assert.Equal(ConfigSource.DefaultConfig, segment.Source);
        // The test broker's server.properties sets log.segment.bytes.
        Assert.Equal(ConfigSource.StaticBrokerConfig, entries["segment.bytes"].Source);
        Assert.Equal("delete", entries["cleanup.policy"].Value);
        Assert.Contains("max.message.bytes", entries.Keys);
    }

    [Fact]
    public async Task Unknown_topic_is_unknown_topic_or_partition()
    {
        using var admin = AdminClients.Create(Bootstrap);
        var e = await Assert.ThrowsAsync<DescribeConfigsException>(() => admin.DescribeConfigsAsync(
            [new ConfigResource { Type = ResourceType.Topic, Name = AdminClients.NewTopicName("missing") }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(e.Results).Error.Code);
    }

    [Fact]
    public async Task Broker_configs_are_listed_with_static_values_read_only()
    {
        var entries = await AdminClients.DescribeAsync(Bootstrap, ResourceType.Broker, "0");

        var brokerId = entries["broker.id"];
        Assert.Equal("0", brokerId.Value);
        Assert.True(brokerId.IsReadOnly);
        // The test broker is started with log.dirs on the command line: a static value.
        Assert.Equal(ConfigSource.StaticBrokerConfig, entries["log.dirs"].Source);
        var retention = entries["log.retention.ms"];
        Assert.False(retention.IsReadOnly);
        Assert.Equal("1048588", entries["message.max.bytes"].Value);
    }

    [Fact]
    public async Task Another_broker_id_is_invalid_request()
    {
        // librdkafka sends a BROKER resource to that broker only, so the request is made by hand.
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        await connection.SendAsync(new DescribeConfigsRequest
        {
            Resources =
            [
                new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = "5", ConfigurationKeys = null },
                new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = "x", ConfigurationKeys = null },
                new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = "0", ConfigurationKeys = ["broker.id"] },
            ],
        }, 4, correlationId: 1);
        var (_, response) = await connection.ReadResponseAsync<DescribeConfigsResponse>(4, TimeSpan.FromSeconds(10));

        Assert.Equal((short)ErrorCode.InvalidRequest, response.Results[0].ErrorCode);
        Assert.Equal("Unexpected broker id, expected 0 or empty string, but received 5", response.Results[0].ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidRequest, response.Results[1].ErrorCode);
        Assert.Equal(0, response.Results[2].ErrorCode);
        Assert.Equal("0", Assert.Single(response.Results[2].Configs).Value);
    }

    [Fact]
    public async Task Kafka_39_topic_configs_are_described_with_Kafkas_types_and_defaults()
    {
        var topic = AdminClients.NewTopicName("describe-kafka39");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1);
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        List<string> keys = ["message.format.version", "compression.gzip.level", "compression.zstd.level", "local.retention.ms", "remote.storage.enable"];
        await connection.SendAsync(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = topic, ConfigurationKeys = keys }],
        }, 4, correlationId: 1);
        var (_, response) = await connection.ReadResponseAsync<DescribeConfigsResponse>(4, TimeSpan.FromSeconds(10));

        var configs = Assert.Single(response.Results).Configs;
        // ConfigType ids: 1 BOOLEAN, 2 STRING, 3 INT, 5 LONG; source 5 is DEFAULT_CONFIG.
        Assert.Equal(
            [("message.format.version", "3.0-IV1", (sbyte)2), ("compression.gzip.level", "-1", (sbyte)3), ("compression.zstd.level", "3", (sbyte)3),
             ("local.retention.ms", "-2", (sbyte)5), ("remote.storage.enable", "false", (sbyte)1)],
            configs.Select(c => (c.Name, c.Value, c.ConfigType)));
        Assert.All(configs, c => Assert.Equal(5, c.ConfigSource));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Each_version_carries_its_fields(short version)
    {
        var topic = AdminClients.NewTopicName("describe-v");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1, new Dictionary<string, string> { ["retention.ms"] = "1000" });
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        await connection.SendAsync(new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 2, ResourceName = topic, ConfigurationKeys = ["retention.ms", "segment.ms", "no.such.key"] }],
            IncludeSynonyms = true,
            IncludeDocumentation = true,
        }, version, correlationId: 1);
        var (_, response) = await connection.ReadResponseAsync<DescribeConfigsResponse>(version, TimeSpan.FromSeconds(10));

        var result = Assert.Single(response.Results);
        Assert.Equal(["retention.ms", "segment.ms"], result.Configs.Select(c => c.Name));
        var retention = result.Configs[0];
        var segment = result.Configs[1];
        if (version == 0)
        {
            Assert.False(retention.IsDefault);
            Assert.True(segment.IsDefault);
            return;
        }
        Assert.Equal(1, retention.ConfigSource);
        Assert.Equal(["retention.ms", "log.retention.hours", "log.retention.hours"], retention.Synonyms.Select(s => s.Name));
        Assert.Equal(new sbyte[] { 1, 4, 5 }, retention.Synonyms.Select(s => s.Source));
        Assert.Equal(5, segment.ConfigSource);
        if (version >= 3)
        {
            Assert.Equal(5, retention.ConfigType);
            Assert.False(string.IsNullOrEmpty(retention.Documentation));
        }
    }
}
