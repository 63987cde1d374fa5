using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// `gregor leader-election`'s command line, checked as kafka-leader-election.sh checks it (in its
/// words, one line, exit 1, before connecting), and its answer from a broker that is not part of a
/// ZooKeeper cluster: without a controller it offers no ElectLeaders, which is one line too.
/// </summary>
public sealed class LeaderElectionToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private async Task AssertFailsAsync(string expected, params string[] arguments)
    {
        var result = await GregorTool.RunAsync(Broker, "leader-election", arguments);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.StandardOutput);
        Assert.Equal($"gregor leader-election: error: {expected}", result.StandardError.TrimEnd('\n'));
    }

    [Fact]
    public async Task Options_are_checked_as_kafka_checks_them()
    {
        await AssertFailsAsync("Missing required option(s): --election-type", "--all-topic-partitions");
        await AssertFailsAsync("--election-type is preferred or unclean, not 'dirty'", "--election-type", "dirty", "--all-topic-partitions");
        const string oneOf = "One and only one of the following options is required: --topic, --all-topic-partitions, --path-to-json-file";
        await AssertFailsAsync(oneOf, "--election-type", "preferred");
        await AssertFailsAsync(oneOf, "--election-type", "preferred", "--all-topic-partitions", "--topic", "t", "--partition", "0");
        await AssertFailsAsync("Missing required option(s): --partition", "--election-type", "preferred", "--topic", "t");
        await AssertFailsAsync("Option --partition is only allowed if --topic is used", "--election-type", "UNCLEAN", "--all-topic-partitions", "--partition", "0");
        await AssertFailsAsync("properties file /nonexistent/admin.properties not found",
            "--election-type", "preferred", "--all-topic-partitions", "--admin.config", "/nonexistent/admin.properties");
    }

    [Fact]
    public async Task A_json_file_of_partitions_is_checked_before_connecting()
    {
        var file = Path.GetTempFileName();
        try
        {
            async Task FailsWith(string content, string expected)
            {
                await File.WriteAllTextAsync(file, content);
                await AssertFailsAsync(expected, "--election-type", "preferred", "--path-to-json-file", file);
            }
            await FailsWith("not json", "Replica election data is empty");
            await FailsWith("{\"version\": 1}", "Replica election data is missing \"partitions\" field");
            await FailsWith("{\"partitions\": [{\"topic\": \"a\", \"partition\": 0}, {\"topic\": \"b\", \"partition\": 1}, {\"topic\": \"a\", \"partition\": 0}]}",
                "Replica election data contains duplicate partitions: [a-0]");
            await FailsWith("{\"partitions\": [{\"topic\": \"a\"}]}", $"{file}: each partition is {{\"topic\": NAME, \"partition\": NUMBER}}, not {{\"topic\": \"a\"}}");
            await AssertFailsAsync("JSON file /nonexistent/election.json not found", "--election-type", "preferred", "--path-to-json-file", "/nonexistent/election.json");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_broker_without_a_controller_is_one_line()
    {
        var topic = GregorTool.NewTopic("elect");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        const string unsupported = "the cluster does not support leader election: its brokers do not offer the ElectLeaders API";
        await AssertFailsAsync(unsupported, "--election-type", "preferred", "--topic", topic, "--partition", "0");
        await AssertFailsAsync(unsupported, "--election-type", "unclean", "--all-topic-partitions");
    }
}
