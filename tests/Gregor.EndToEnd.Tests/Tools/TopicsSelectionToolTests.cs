using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// `gregor topics` options that choose which topics and partitions an action covers, as
/// kafka-topics.sh's: --topic as a regular expression, --topic-id, --exclude-internal,
/// --if-exists, --topics-with-overrides and the partition health reports.
/// </summary>
public sealed class TopicsSelectionToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private async Task<string[]> LinesAsync(params string[] arguments) =>
        GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "topics", arguments)).StandardOutput);

    private async Task AssertFailsAsync(string expected, params string[] arguments)
    {
        var result = await GregorTool.RunAsync(Broker, "topics", arguments);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(expected, result.StandardError.Trim());
    }

    [Fact]
    public async Task Topic_is_a_whole_name_regular_expression_for_list_describe_alter_and_delete()
    {
        var prefix = GregorTool.NewTopic("regex");
        string dotted = prefix + ".a", lookalike = prefix + "Xa", other = prefix + "-b";
        foreach (var t in new[] { dotted, lookalike, other })
        {
            await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", t]);
        }

        Assert.Equal([dotted], await LinesAsync("--list", "--topic", prefix + @"\.a"));
        Assert.Equal([dotted, lookalike], await LinesAsync("--list", "--topic", prefix + ".a"));
        // A comma separates alternatives; the expression must match the whole name.
        // Names come in ordinal order ('-' before '.').
        Assert.Equal([other, dotted], await LinesAsync("--list", "--topic", $"{prefix}\\.a,{prefix}-b"));
        Assert.Empty(await LinesAsync("--list", "--topic", prefix));

        var described = await LinesAsync("--describe", "--topic", prefix + ".*");
        Assert.Equal([other, other, dotted, dotted, lookalike, lookalike], described.Select(l => l.Split('\t').First(f => f.StartsWith("Topic: ", StringComparison.Ordinal))[7..]));

        var altered = await LinesAsync("--alter", "--topic", prefix + ".a", "--partitions", "3");
        Assert.Equal([$"Altered topic {dotted}: 1 -> 3 partitions.", $"Altered topic {lookalike}: 1 -> 3 partitions."], altered);
        Assert.True(Directory.Exists(Path.Combine(Broker.LogDir, $"{lookalike}-2")));
        Assert.False(Directory.Exists(Path.Combine(Broker.LogDir, $"{other}-2")));

        Assert.Equal([$"Deleted topic {dotted}.", $"Deleted topic {lookalike}."], await LinesAsync("--delete", "--topic", prefix + ".a"));
        Assert.Equal([other], await LinesAsync("--list", "--topic", prefix + ".*"));

        await AssertFailsAsync("gregor topics: error: [ is an invalid regex", "--list", "--topic", "[");
    }

    [Fact]
    public async Task If_exists_makes_describe_alter_and_delete_of_nothing_quiet()
    {
        var missing = GregorTool.NewTopic("absent");
        await AssertFailsAsync($"gregor topics: error: topic '{missing}' does not exist", "--describe", "--topic", missing);
        await AssertFailsAsync($"gregor topics: error: topic '{missing}' does not exist", "--alter", "--topic", missing, "--partitions", "2");
        Assert.Empty(await LinesAsync("--describe", "--topic", missing, "--if-exists"));
        Assert.Empty(await LinesAsync("--alter", "--topic", missing, "--partitions", "2", "--if-exists"));
        Assert.Empty(await LinesAsync("--delete", "--topic", missing, "--if-exists"));
        await AssertFailsAsync("gregor topics: error: --if-exists can't be used with --create", "--create", "--topic", missing, "--if-exists");
        await AssertFailsAsync("gregor topics: error: --if-not-exists can't be used with --delete", "--delete", "--topic", missing, "--if-not-exists");
    }

    [Fact]
    public async Task Topic_id_describes_the_topic_with_that_id()
    {
        var topic = GregorTool.NewTopic("byid");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", topic]);
        var byName = await LinesAsync("--describe", "--topic", topic);
        var id = byName[0].Split('\t')[1]["TopicId: ".Length..];

        Assert.Equal(byName, await LinesAsync("--describe", "--topic-id", id));
        await AssertFailsAsync("gregor topics: error: topic id 'AAAAAAAAAAAAAAAAAAAAAA' does not exist", "--describe", "--topic-id", "AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Empty(await LinesAsync("--describe", "--topic-id", "AAAAAAAAAAAAAAAAAAAAAA", "--if-exists"));
        await AssertFailsAsync("gregor topics: error: --topic-id can't be used with --delete", "--delete", "--topic-id", id, "--topic", topic);
    }

    [Fact]
    public async Task Exclude_internal_leaves_out_the_offsets_topic()
    {
        // A group commit makes the broker create __consumer_offsets.
        var topic = GregorTool.NewTopic("internal");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic], "one\n");
        await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--group", topic, "--from-beginning", "--max-messages", "1"]);

        Assert.Contains("__consumer_offsets", await LinesAsync("--list"));
        var external = await LinesAsync("--list", "--exclude-internal");
        Assert.Contains(topic, external);
        Assert.DoesNotContain("__consumer_offsets", external);
        Assert.DoesNotContain(await LinesAsync("--describe", "--exclude-internal"), l => l.Contains("Topic: __consumer_offsets\t", StringComparison.Ordinal));
        Assert.Empty(await LinesAsync("--list", "--topic", "__consumer_.*", "--exclude-internal"));
        await AssertFailsAsync("gregor topics: error: --exclude-internal can't be used with --delete", "--delete", "--topic", topic, "--exclude-internal");
    }

    [Fact]
    public async Task Alter_sets_and_delete_config_removes_a_topic_override()
    {
        var topic = GregorTool.NewTopic("override");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic, "--config", "cleanup.policy=compact"]);
        Assert.Equal([$"Updated config for topic {topic}."], await LinesAsync("--alter", "--topic", topic, "--config", "max.message.bytes=2000"));
        Assert.Contains("cleanup.policy=compact,max.message.bytes=2000,", (await LinesAsync("--describe", "--topic", topic))[0]);

        await GregorTool.SucceedAsync(Broker, "topics", ["--alter", "--topic", topic, "--delete-config", "cleanup.policy", "--delete-config", "max.message.bytes"]);
        var line = (await LinesAsync("--describe", "--topic", topic))[0];
        Assert.DoesNotContain("cleanup.policy", line);
        Assert.DoesNotContain("max.message.bytes", line);
        await AssertFailsAsync("gregor topics: error: --delete-config can't be used with --create", "--create", "--topic", topic, "--delete-config", "x");
        await AssertFailsAsync("gregor topics: error: --alter needs --partitions, --config or --delete-config", "--alter", "--topic", topic);
    }

    [Fact]
    public async Task Topics_with_overrides_prints_topic_lines_only()
    {
        var topic = GregorTool.NewTopic("overrides");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "3", "--topic", topic, "--config", "retention.ms=3600000"]);
        var line = Assert.Single(await LinesAsync("--describe", "--topic", topic, "--topics-with-overrides"));
        Assert.StartsWith($"Topic: {topic}\tTopicId: ", line, StringComparison.Ordinal);
        Assert.Contains("retention.ms=3600000", line);
        await AssertFailsAsync("gregor topics: error: --under-replicated-partitions can't be used with --topics-with-overrides",
            "--describe", "--topics-with-overrides", "--under-replicated-partitions");
    }

    [Fact]
    public async Task Partition_size_limit_per_response_is_accepted_and_checked()
    {
        var topic = GregorTool.NewTopic("limit");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "3", "--topic", topic]);
        Assert.Equal(await LinesAsync("--describe", "--topic", topic), await LinesAsync("--describe", "--topic", topic, "--partition-size-limit-per-response", "1"));
        await AssertFailsAsync("gregor topics: error: --partition-size-limit-per-response must be positive", "--describe", "--partition-size-limit-per-response", "0");
    }

    [Fact]
    public async Task Partition_reports_follow_the_isr_and_min_insync_replicas()
    {
        var prefix = GregorTool.NewTopic("health");
        string plain = prefix + "-plain", strict = prefix + "-strict";
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", plain]);
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", strict, "--config", "min.insync.replicas=2"]);
        var pattern = prefix + "-.*";

        // One node: every replica is in sync and led by a live broker.
        Assert.Empty(await LinesAsync("--describe", "--topic", pattern, "--under-replicated-partitions"));
        Assert.Empty(await LinesAsync("--describe", "--topic", pattern, "--unavailable-partitions"));
        // An ISR of 1 is under min.insync.replicas=2 and at the default minimum of 1.
        Assert.Equal([$"\tTopic: {strict}\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A"],
            await LinesAsync("--describe", "--topic", pattern, "--under-min-isr-partitions"));
        Assert.Equal([$"\tTopic: {plain}\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A", $"\tTopic: {plain}\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A"],
            await LinesAsync("--describe", "--topic", pattern, "--at-min-isr-partitions"));
        // Several reports: the partitions any of them selects.
        Assert.Equal(3, (await LinesAsync("--describe", "--topic", pattern, "--at-min-isr-partitions", "--under-min-isr-partitions")).Length);
        await AssertFailsAsync("gregor topics: error: --unavailable-partitions can't be used with --list", "--list", "--unavailable-partitions");
    }

    [Fact]
    public async Task Get_offsets_takes_topic_as_a_regular_expression()
    {
        var prefix = GregorTool.NewTopic("offsets");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", prefix + ".a"], "one\ntwo\n");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", prefix + "-b"], "three\n");
        var both = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", prefix + ".*"]);
        Assert.Equal([$"{prefix}-b:0:1", $"{prefix}.a:0:2"], GregorTool.Lines(both.StandardOutput));
        var one = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", prefix + @"\.a"]);
        Assert.Equal([$"{prefix}.a:0:2"], GregorTool.Lines(one.StandardOutput));
        var none = await GregorTool.RunAsync(Broker, "get-offsets", ["--topic", prefix]);
        Assert.Equal(1, none.ExitCode);
        Assert.Equal($"gregor get-offsets: error: topic '{prefix}' does not exist", none.StandardError.Trim());
        var noPartition = await GregorTool.RunAsync(Broker, "get-offsets", ["--topic", prefix + ".*", "--partitions", "5"]);
        Assert.Equal(1, noPartition.ExitCode);
        Assert.Equal("gregor get-offsets: error: could not match any topic-partitions with the specified filters", noPartition.StandardError.Trim());
    }
}
