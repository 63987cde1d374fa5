using System.Text.RegularExpressions;
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
        Assert.Equal($"\tTopic: {topic}\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0", lines[1]);
        Assert.Equal($"\tTopic: {topic}\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0", lines[2]);
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
    public async Task An_unreachable_cluster_is_reported_within_the_connect_timeout()
    {
        var result = await ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, "topics", "--bootstrap-server", "127.0.0.1:1", "--list"], GregorTool.Timeout);
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(new Regex(@"^gregor topics: error: cannot reach the cluster at 127\.0\.0\.1:1 within 10 s"), result.StandardError);
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
