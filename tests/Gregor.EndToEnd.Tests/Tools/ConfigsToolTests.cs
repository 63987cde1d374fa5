using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// `gregor configs` describes and alters topic and broker configs; each change shows in the next
/// describe and in what Confluent.Kafka's AdminClient reports. Broker configs are shared state,
/// so this class has its own broker.
/// </summary>
public sealed class ConfigsToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private async Task<Dictionary<string, ConfigEntryResult>> AdminDescribeAsync(ResourceType type, string name)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Broker.BootstrapServers }).Build();
        var results = await admin.DescribeConfigsAsync([new ConfigResource { Type = type, Name = name }]);
        return Assert.Single(results).Entries;
    }

    [Fact]
    public async Task Topic_configs_are_added_and_deleted_and_describe_shows_them()
    {
        var topic = GregorTool.NewTopic("configs");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic, "--config", "cleanup.policy=compact"]);
        var args = new[] { "--entity-type", "topics", "--entity-name", topic };

        var before = await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--describe"]);
        Assert.Equal([$"Dynamic configs for topic {topic} are:",
            "  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}"],
            GregorTool.Lines(before.StandardOutput));

        var altered = await GregorTool.SucceedAsync(Broker, "configs",
            [.. args, "--alter", "--add-config", "retention.ms=7200000,max.message.bytes=5000", "--delete-config", "cleanup.policy"]);
        Assert.Equal($"Completed updating config for topic {topic}.", altered.StandardOutput.Trim());

        var after = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--describe"])).StandardOutput);
        Assert.Equal(3, after.Length);
        Assert.StartsWith("  max.message.bytes=5000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:max.message.bytes=5000, ", after[1], StringComparison.Ordinal);
        Assert.StartsWith("  retention.ms=7200000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=7200000, ", after[2], StringComparison.Ordinal);

        var entries = await AdminDescribeAsync(ResourceType.Topic, topic);
        Assert.Equal(("7200000", ConfigSource.DynamicTopicConfig), (entries["retention.ms"].Value, entries["retention.ms"].Source));
        Assert.Equal(("5000", ConfigSource.DynamicTopicConfig), (entries["max.message.bytes"].Value, entries["max.message.bytes"].Source));
        Assert.Equal(("delete", ConfigSource.DefaultConfig), (entries["cleanup.policy"].Value, entries["cleanup.policy"].Source));

        var all = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--describe", "--all"])).StandardOutput);
        Assert.Equal($"All configs for topic {topic} are:", all[0]);
        Assert.Equal(entries.Count, all.Length - 1);
        Assert.Contains(all, l => l.StartsWith("  cleanup.policy=delete sensitive=false synonyms={DEFAULT_CONFIG:log.cleanup.policy=delete}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Broker_configs_are_added_and_deleted_live()
    {
        var args = new[] { "--entity-type", "brokers", "--entity-name", "0" };
        await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--alter", "--add-config", "log.retention.ms=3600000"]);
        var described = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--describe"])).StandardOutput);
        Assert.Equal("Dynamic configs for broker 0 are:", described[0]);
        Assert.StartsWith("  log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.retention.ms=3600000", described[1], StringComparison.Ordinal);
        var entries = await AdminDescribeAsync(ResourceType.Broker, "0");
        Assert.Equal(("3600000", ConfigSource.DynamicBrokerConfig), (entries["log.retention.ms"].Value, entries["log.retention.ms"].Source));

        await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--alter", "--delete-config", "log.retention.ms"]);
        Assert.Equal(["Dynamic configs for broker 0 are:"], GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "configs", [.. args, "--describe"])).StandardOutput));
        entries = await AdminDescribeAsync(ResourceType.Broker, "0");
        Assert.NotEqual(ConfigSource.DynamicBrokerConfig, entries["log.retention.ms"].Source);
    }

    [Fact]
    public async Task Refusals_are_one_line_naming_the_problem()
    {
        var topic = GregorTool.NewTopic("badconfig");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);

        var value = await GregorTool.RunAsync(Broker, "configs", ["--entity-type", "topics", "--entity-name", topic, "--alter", "--add-config", "retention.ms=soon"]);
        Assert.Equal((1, $"gregor configs: error: cannot alter configs of topic {topic}: Invalid value soon for configuration retention.ms: not a number (InvalidConfig)"),
            (value.ExitCode, value.StandardError.Trim()));

        var name = await GregorTool.RunAsync(Broker, "configs", ["--entity-type", "topics", "--entity-name", topic, "--alter", "--add-config", "no.such.config=1"]);
        Assert.Equal((1, $"gregor configs: error: cannot alter configs of topic {topic}: Unknown topic config name: no.such.config (InvalidConfig)"),
            (name.ExitCode, name.StandardError.Trim()));

        var readOnly = await GregorTool.RunAsync(Broker, "configs", ["--entity-type", "brokers", "--entity-name", "0", "--alter", "--add-config", "broker.id=3"]);
        Assert.Equal((1, "gregor configs: error: cannot alter configs of broker 0: Cannot update these configs dynamically: Set(broker.id) (InvalidRequest)"),
            (readOnly.ExitCode, readOnly.StandardError.Trim()));

        var broker = await GregorTool.RunAsync(Broker, "configs", ["--entity-type", "brokers", "--entity-name", "7", "--describe"]);
        Assert.Equal((1, "gregor configs: error: broker '7' does not exist (brokers: 0)"), (broker.ExitCode, broker.StandardError.Trim()));

        var missing = await GregorTool.RunAsync(Broker, "configs", ["--entity-type", "topics", "--entity-name", topic + "-x", "--describe"]);
        Assert.Equal((1, $"gregor configs: error: topic '{topic}-x' does not exist"), (missing.ExitCode, missing.StandardError.Trim()));
    }
}
