using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>`gregor topics` against a real broker: the topic's life cycle as kafka-topics.sh users know it.</summary>
public sealed class TopicsToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task Create_makes_one_directory_per_partition_and_list_shows_the_topic()
    {
        var topic = GregorTool.NewTopic("mytopic");
        var created = await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "4", "--replication-factor", "1", "--topic", topic]);
        Assert.Equal($"Created topic {topic}.", created.StandardOutput.Trim());
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(Directory.Exists(Path.Combine(Broker.LogDir, $"{topic}-{p}")), $"{topic}-{p}"));
        Assert.False(Directory.Exists(Path.Combine(Broker.LogDir, $"{topic}-4")));

        var list = await GregorTool.SucceedAsync(Broker, "topics", ["--list"]);
        Assert.Contains(topic, GregorTool.Lines(list.StandardOutput));
    }

    [Fact]
    public async Task Describe_prints_kafka_topics_layout_with_topic_id_and_partitions()
    {
        var topic = GregorTool.NewTopic("describe");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--replication-factor", "1", "--topic", topic]);
        var describe = await GregorTool.SucceedAsync(Broker, "topics", ["--describe", "--topic", topic]);
        var lines = GregorTool.Lines(describe.StandardOutput);
        Assert.Equal(3, lines.Length);
        Assert.Matches($@"^Topic: {topic}\tTopicId: [A-Za-z0-9_-]{{22}}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: ", lines[0]);
        Assert.Equal($"\tTopic: {topic}\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A", lines[1]);
        Assert.Equal($"\tTopic: {topic}\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A", lines[2]);
    }

    [Fact]
    public async Task Create_twice_fails_unless_if_not_exists()
    {
        var topic = GregorTool.NewTopic("twice");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        var again = await GregorTool.RunAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"gregor topics: error: topic '{topic}' already exists", again.StandardError.Trim());
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic, "--if-not-exists"]);
    }

    [Fact]
    public async Task Delete_removes_the_topic_and_an_unknown_topic_is_a_clear_error()
    {
        var topic = GregorTool.NewTopic("delete");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        await GregorTool.SucceedAsync(Broker, "topics", ["--delete", "--topic", topic]);
        var list = await GregorTool.SucceedAsync(Broker, "topics", ["--list"]);
        Assert.DoesNotContain(topic, GregorTool.Lines(list.StandardOutput));

        var missing = await GregorTool.RunAsync(Broker, "topics", ["--delete", "--topic", topic]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"gregor topics: error: topic '{topic}' does not exist", missing.StandardError.Trim());
        await GregorTool.SucceedAsync(Broker, "topics", ["--delete", "--topic", topic, "--if-exists"]);
    }

    [Fact]
    public async Task Without_an_action_it_says_what_is_needed()
    {
        var result = await GregorTool.RunAsync(Broker, "topics", ["--topic", "x"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("exactly one of --create, --list, --describe, --alter, --delete", result.StandardError);
    }

    [Fact]
    public async Task An_unreachable_cluster_is_one_line_saying_what_to_check()
    {
        var result = await ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, "topics", "--bootstrap-server", "127.0.0.1:1", "--list"], GregorTool.Timeout);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("gregor topics: error: cannot reach 127.0.0.1:1 (connection refused) — is the broker running?", result.StandardError.Trim());
    }

    [Fact]
    public async Task Alter_grows_the_partition_count_and_refuses_a_shrink()
    {
        var topic = GregorTool.NewTopic("grow");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", topic]);
        var grown = await GregorTool.SucceedAsync(Broker, "topics", ["--alter", "--topic", topic, "--partitions", "5"]);
        Assert.Equal($"Altered topic {topic}: 2 -> 5 partitions.", grown.StandardOutput.Trim());
        Assert.True(Directory.Exists(Path.Combine(Broker.LogDir, $"{topic}-4")));
        var describe = await GregorTool.SucceedAsync(Broker, "topics", ["--describe", "--topic", topic]);
        Assert.Contains("\tPartitionCount: 5\t", GregorTool.Lines(describe.StandardOutput)[0]);
        Assert.Equal(6, GregorTool.Lines(describe.StandardOutput).Length);

        var shrink = await GregorTool.RunAsync(Broker, "topics", ["--alter", "--topic", topic, "--partitions", "3"]);
        Assert.Equal(1, shrink.ExitCode);
        Assert.Equal($"gregor topics: error: the number of partitions can only be increased: topic '{topic}' has 5, asked for 3", shrink.StandardError.Trim());

        var unknown = await GregorTool.RunAsync(Broker, "topics", ["--alter", "--topic", topic + "-x", "--partitions", "3"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal($"gregor topics: error: topic '{topic}-x' does not exist", unknown.StandardError.Trim());
    }

    [Fact]
    public async Task Describe_shows_the_non_default_configs_of_the_topic()
    {
        var topic = GregorTool.NewTopic("configured");
        await GregorTool.SucceedAsync(Broker, "topics",
            ["--create", "--partitions", "1", "--topic", topic, "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact"]);
        var line = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "topics", ["--describe", "--topic", topic])).StandardOutput)[0];
        var configs = line[(line.IndexOf("Configs: ", StringComparison.Ordinal) + "Configs: ".Length)..].Split(',');
        // config/server.properties sets log.segment.bytes, so segment.bytes is not a default either (as in Kafka's quick start).
        Assert.Equal(["cleanup.policy=compact", "retention.ms=3600000", "segment.bytes=1073741824"], configs);
    }

    [Fact]
    public async Task Create_refusals_carry_the_brokers_reason()
    {
        var topic = GregorTool.NewTopic("refused");
        var replicas = await GregorTool.RunAsync(Broker, "topics", ["--create", "--partitions", "1", "--replication-factor", "4", "--topic", topic]);
        Assert.Equal(1, replicas.ExitCode);
        Assert.Equal($"gregor topics: error: cannot create topic '{topic}': Replication factor: 4 larger than available brokers: 1. (InvalidReplicationFactor)",
            replicas.StandardError.Trim());

        var config = await GregorTool.RunAsync(Broker, "topics", ["--create", "--topic", topic, "--config", "retention.ms=soon"]);
        Assert.Equal(1, config.ExitCode);
        Assert.Equal($"gregor topics: error: cannot create topic '{topic}': Invalid value soon for configuration retention.ms: not a number (InvalidConfig)",
            config.StandardError.Trim());
        Assert.False(Directory.Exists(Path.Combine(Broker.LogDir, $"{topic}-0")));
    }

    [Fact]
    public async Task Command_config_takes_a_java_client_properties_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "# Java client settings\nclient.id=ops-tool\nrequest.timeout.ms=20000\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n");
            var result = await GregorTool.SucceedAsync(Broker, "topics", ["--list", "--command-config", file]);
            Assert.Contains("ignoring Java client property key.serializer", result.StandardError);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
