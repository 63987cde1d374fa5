using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>
/// AlterConfigs and IncrementalAlterConfigs change topic configs and dynamic broker defaults live,
/// and the changes survive a restart on the same log dir. Each test owns its broker, since broker
/// defaults are shared state.
/// </summary>
public sealed class AlterConfigsTests
{
    private static ConfigResource TopicResource(string topic) => new() { Type = ResourceType.Topic, Name = topic };

    [Fact]
    public async Task Legacy_alter_configs_replaces_the_overrides_and_persists_across_restart()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-e2e-admin-").FullName;
        try
        {
            var topic = AdminClients.NewTopicName("alter");
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1, new Dictionary<string, string> { ["segment.ms"] = "600000" });
                using var admin = AdminClients.Create(broker.BootstrapServers);
#pragma warning disable CS0618 // AlterConfigs is deprecated in favour of IncrementalAlterConfigs; it is the API under test.
                await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
                {
                    [TopicResource(topic)] = [new ConfigEntry { Name = "retention.ms", Value = "7200000" }],
                });
#pragma warning restore CS0618

                var entries = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, topic);
                Assert.Equal("7200000", entries["retention.ms"].Value);
                Assert.Equal(ConfigSource.DynamicTopicConfig, entries["retention.ms"].Source);
                // Full replacement: the override not named again is gone.
                Assert.Equal(ConfigSource.DefaultConfig, entries["segment.ms"].Source);
                Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
            }
            await using (var restarted = await BrokerProcess.StartAsync(logDir: logDir))
            {
                var entries = await AdminClients.DescribeAsync(restarted.BootstrapServers, ResourceType.Topic, topic);
                Assert.Equal("7200000", entries["retention.ms"].Value);
                Assert.Equal(ConfigSource.DynamicTopicConfig, entries["retention.ms"].Source);
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task Incremental_alter_configs_sets_appends_and_deletes_live()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = AdminClients.NewTopicName("incr");
        await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1, new Dictionary<string, string> { ["segment.ms"] = "600000" });
        using var admin = AdminClients.Create(broker.BootstrapServers);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [TopicResource(topic)] =
            [
                new ConfigEntry { Name = "retention.ms", Value = "5000", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Append },
                new ConfigEntry { Name = "segment.ms", IncrementalOperation = AlterConfigOpType.Delete },
            ],
        });

        var entries = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, topic);
        Assert.Equal("5000", entries["retention.ms"].Value);
        Assert.Equal("delete,compact", entries["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, entries["segment.ms"].Source);
    }

    [Fact]
    public async Task Invalid_values_and_unknown_keys_are_invalid_config_and_change_nothing()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = AdminClients.NewTopicName("invalid");
        await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1);
        using var admin = AdminClients.Create(broker.BootstrapServers);

        foreach (var (name, value) in new[] { ("retention.ms", "soon"), ("segment.bytes", "1"), ("no.such.key", "1") })
        {
            var e = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [TopicResource(topic)] = [new ConfigEntry { Name = name, Value = value, IncrementalOperation = AlterConfigOpType.Set }],
            }));
            var error = Assert.Single(e.Results).Error;
            Assert.Equal(ErrorCode.InvalidConfig, error.Code);
            Assert.Contains(name, error.Reason, StringComparison.Ordinal);
        }
        var entries = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, topic);
        Assert.All(entries.Values, e => Assert.NotEqual(ConfigSource.DynamicTopicConfig, e.Source));
    }

    [Fact]
    public async Task Validate_only_changes_nothing()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = AdminClients.NewTopicName("validate");
        await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1);
        using var admin = AdminClients.Create(broker.BootstrapServers);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [TopicResource(topic)] = [new ConfigEntry { Name = "retention.ms", Value = "5000", IncrementalOperation = AlterConfigOpType.Set }],
        }, new IncrementalAlterConfigsOptions { ValidateOnly = true });

        var entries = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, topic);
        Assert.Equal("604800000", entries["retention.ms"].Value);
    }

    [Fact]
    public async Task Dynamic_broker_defaults_apply_to_topics_without_overrides_and_persist()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-e2e-admin-").FullName;
        try
        {
            var plain = AdminClients.NewTopicName("plain");
            var overridden = AdminClients.NewTopicName("overridden");
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                await AdminClients.CreateTopicAsync(broker.BootstrapServers, plain, 1);
                await AdminClients.CreateTopicAsync(broker.BootstrapServers, overridden, 1, new Dictionary<string, string> { ["retention.ms"] = "1000" });
                using var admin = AdminClients.Create(broker.BootstrapServers);

                // librdkafka cannot name the cluster-wide resource (""): that request is made by hand.
                var clusterWide = await AdminClients.RoundTripAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(broker.Port, new IncrementalAlterConfigsRequest
                {
                    Resources =
                    [
                        new IncrementalAlterConfigsRequest.AlterConfigsResource
                        {
                            ResourceType = 4,
                            ResourceName = "",
                            Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = "log.retention.ms", ConfigOperation = 0, Value = "86400000" }],
                        },
                    ],
                }, 1);
                Assert.Equal(0, Assert.Single(clusterWide.Responses).ErrorCode);
                await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
                {
                    [new ConfigResource { Type = ResourceType.Broker, Name = "0" }] = [new ConfigEntry { Name = "log.segment.bytes", Value = "2097152", IncrementalOperation = AlterConfigOpType.Set }],
                });

                await AssertDynamicDefaults(broker, plain, overridden);
                Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
            }
            Assert.True(File.Exists(Path.Combine(logDir, "dynamic-broker-configs.json")));
            await using (var restarted = await BrokerProcess.StartAsync(logDir: logDir))
            {
                await AssertDynamicDefaults(restarted, plain, overridden);
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    private static async Task AssertDynamicDefaults(BrokerProcess process, string plain, string overridden)
    {
        var bootstrap = process.BootstrapServers;
        var topic = await AdminClients.DescribeAsync(bootstrap, ResourceType.Topic, plain);
        Assert.Equal("86400000", topic["retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, topic["retention.ms"].Source);
        Assert.Equal("2097152", topic["segment.bytes"].Value);
        Assert.Equal(ConfigSource.DynamicBrokerConfig, topic["segment.bytes"].Source);
        var other = await AdminClients.DescribeAsync(bootstrap, ResourceType.Topic, overridden);
        Assert.Equal("1000", other["retention.ms"].Value);

        var broker = await AdminClients.DescribeAsync(bootstrap, ResourceType.Broker, "0");
        Assert.Equal("86400000", broker["log.retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, broker["log.retention.ms"].Source);
        Assert.Equal(ConfigSource.DynamicBrokerConfig, broker["log.segment.bytes"].Source);
        var defaults = await AdminClients.RoundTripAsync<DescribeConfigsRequest, DescribeConfigsResponse>(process.Port, new DescribeConfigsRequest
        {
            Resources = [new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = 4, ResourceName = "", ConfigurationKeys = null }],
        }, 4);
        var entry = Assert.Single(Assert.Single(defaults.Results).Configs);
        Assert.Equal(("log.retention.ms", "86400000", (sbyte)3), (entry.Name, entry.Value, entry.ConfigSource));
    }

    [Fact]
    public async Task A_broker_key_that_cannot_change_dynamically_is_invalid_request()
    {
        await using var broker = await BrokerProcess.StartAsync();
        using var admin = AdminClients.Create(broker.BootstrapServers);

        var e = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Broker, Name = "0" }] = [new ConfigEntry { Name = "broker.id", Value = "3", IncrementalOperation = AlterConfigOpType.Set }],
        }));

        var error = Assert.Single(e.Results).Error;
        Assert.Equal(ErrorCode.InvalidRequest, error.Code);
        Assert.Contains("broker.id", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kafka_3_topic_configs_such_as_message_format_version_are_accepted_and_described()
    {
        // librdkafka's 0092_mixed_msgver sets message.format.version with the legacy AlterConfigs.
        await using var broker = await BrokerProcess.StartAsync();
        var topic = AdminClients.NewTopicName("msgver");
        await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1);
        using var admin = AdminClients.Create(broker.BootstrapServers);
#pragma warning disable CS0618 // AlterConfigs is deprecated in favour of IncrementalAlterConfigs; it is the API under test.
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [TopicResource(topic)] =
            [
                new ConfigEntry { Name = "message.format.version", Value = "0.10.0.0" },
                new ConfigEntry { Name = "compression.zstd.level", Value = "9" },
            ],
        });
        var tiered = await Assert.ThrowsAsync<AlterConfigsException>(() => admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [TopicResource(topic)] = [new ConfigEntry { Name = "remote.storage.enable", Value = "true" }],
        }));
#pragma warning restore CS0618
        Assert.Equal(ErrorCode.InvalidConfig, Assert.Single(tiered.Results).Error.Code);

        var entries = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Topic, topic);
        Assert.Equal(("0.10.0.0", ConfigSource.DynamicTopicConfig), (entries["message.format.version"].Value, entries["message.format.version"].Source));
        Assert.Equal("9", entries["compression.zstd.level"].Value);
        Assert.Equal("false", entries["remote.storage.enable"].Value);
        await broker.WaitForOutputAsync("compression\\.zstd\\.level=9.*message\\.format\\.version=0\\.10\\.0\\.0.*stored", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_dynamic_broker_config_Kafka_accepts_is_stored_described_and_survives_restart()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-e2e-admin-").FullName;
        try
        {
            var broker0 = new ConfigResource { Type = ResourceType.Broker, Name = "0" };
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var admin = AdminClients.Create(broker.BootstrapServers);
                await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
                {
                    [broker0] = [new ConfigEntry { Name = "sasl.kerberos.min.time.before.relogin", Value = "120000", IncrementalOperation = AlterConfigOpType.Set }],
                });
                var entries = await AdminClients.DescribeAsync(broker.BootstrapServers, ResourceType.Broker, "0");
                Assert.Equal(("120000", ConfigSource.DynamicBrokerConfig, false),
                    (entries["sasl.kerberos.min.time.before.relogin"].Value, entries["sasl.kerberos.min.time.before.relogin"].Source, entries["sasl.kerberos.min.time.before.relogin"].IsReadOnly));
                await broker.WaitForOutputAsync("sasl\\.kerberos\\.min\\.time\\.before\\.relogin=120000 stored", TimeSpan.FromSeconds(30));
                Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
            }
            await using (var restarted = await BrokerProcess.StartAsync(logDir: logDir))
            {
                var entries = await AdminClients.DescribeAsync(restarted.BootstrapServers, ResourceType.Broker, "0");
                Assert.Equal("120000", entries["sasl.kerberos.min.time.before.relogin"].Value);
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_dynamic_message_max_bytes_applies_to_produce_at_once()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var topic = AdminClients.NewTopicName("maxbytes");
        await AdminClients.CreateTopicAsync(broker.BootstrapServers, topic, 1);
        using var admin = AdminClients.Create(broker.BootstrapServers);
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 0 }).Build();
        var value = new byte[5000];
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value });

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Broker, Name = "0" }] = [new ConfigEntry { Name = "message.max.bytes", Value = "1000", IncrementalOperation = AlterConfigOpType.Set }],
        });

        var e = await Assert.ThrowsAsync<ProduceException<Null, byte[]>>(() => producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value }));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, e.Error.Code);
    }
}
