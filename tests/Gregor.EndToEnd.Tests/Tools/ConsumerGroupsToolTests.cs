using System.Diagnostics;
using System.Globalization;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>consumer-groups against groups made by console-consumer --group: describe, reset (refused while active), delete.</summary>
public sealed class ConsumerGroupsToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private async Task<string> TopicWithRecordsAsync(string prefix, int records)
    {
        var topic = GregorTool.NewTopic(prefix);
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic],
            string.Concat(Enumerable.Range(0, records).Select(i => $"r{i}\n")));
        return topic;
    }

    private static string[] Row(string output, string group) =>
        GregorTool.Lines(output).Single(l => l.StartsWith(group + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Describe_shows_committed_offset_log_end_and_lag_then_reset_and_delete_work()
    {
        var topic = await TopicWithRecordsAsync("groups", 10);
        var group = GregorTool.NewTopic("group");
        await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--group", group, "--from-beginning", "--max-messages", "4"]);

        var list = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--list"]);
        Assert.Contains(group, GregorTool.Lines(list.StandardOutput));

        var describe = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group]);
        Assert.Contains($"Consumer group '{group}' has no active members.", describe.StandardOutput);
        Assert.Contains("GROUP", describe.StandardOutput);
        Assert.Equal([group, topic, "0", "4", "10", "6", "-", "-", "-"], Row(describe.StandardOutput, group));

        var dryRun = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--reset-offsets", "--group", group, "--topic", topic, "--to-offset", "7", "--dry-run"]);
        Assert.Equal([group, topic, "0", "7"], Row(dryRun.StandardOutput, group));
        Assert.Equal("4", Row((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group])).StandardOutput, group)[3]);

        await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--reset-offsets", "--group", group, "--topic", $"{topic}:0", "--shift-by", "-3", "--execute"]);
        Assert.Equal("1", Row((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group])).StandardOutput, group)[3]);

        await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--reset-offsets", "--group", group, "--topic", topic, "--to-latest", "--execute"]);
        Assert.Equal("0", Row((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group])).StandardOutput, group)[5]);

        await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--reset-offsets", "--group", group, "--topic", topic, "--to-datetime", "2000-01-01T00:00:00.000Z", "--execute"]);
        Assert.Equal("0", Row((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group])).StandardOutput, group)[3]);

        var deleted = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--delete", "--group", group]);
        Assert.Contains($"Deletion of requested consumer groups ('{group}') was successful.", deleted.StandardOutput);
        var gone = await GregorTool.RunAsync(Broker, "consumer-groups", ["--describe", "--group", group]);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"consumer group '{group}' does not exist", gone.StandardError);
    }

    [Fact]
    public async Task Reset_is_refused_while_a_member_is_active_and_sigterm_commits_and_leaves()
    {
        var topic = await TopicWithRecordsAsync("active", 5);
        var group = GregorTool.NewTopic("live");
        using var consumer = StartConsoleConsumer(["--topic", topic, "--group", group, "--from-beginning"]);
        var stdout = consumer.StandardOutput.ReadToEndAsync();
        var stderr = consumer.StandardError.ReadToEndAsync();

        // Wait until the member has joined and been assigned the partition.
        string[] row = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            // Until the consumer has joined, the group does not exist (exit 1), has no members, or the member has no partition yet.
            var members = await GregorTool.RunAsync(Broker, "consumer-groups", ["--describe", "--group", group, "--members"]);
            if (members.ExitCode == 0 && !members.StandardOutput.Contains("has no active members", StringComparison.Ordinal))
            {
                row = Row(members.StandardOutput, group);
                if (row[^1] == "1")
                {
                    break;
                }
            }
            await Task.Delay(300);
        }
        Assert.NotEmpty(row);
        Assert.Equal("1", row[^1]); // #PARTITIONS

        var state = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group, "--state"]);
        Assert.Contains("Stable", state.StandardOutput);

        var refused = await GregorTool.RunAsync(Broker, "consumer-groups", ["--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"assignments can only be reset if the group '{group}' is inactive, but the current state is Stable", refused.StandardError);

        using (var kill = Process.Start("kill", ["-TERM", consumer.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await consumer.WaitForExitAsync(cts.Token);
        Assert.Equal(0, consumer.ExitCode);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], GregorTool.Lines(await stdout));
        Assert.Contains("Processed a total of 5 messages", await stderr);

        var after = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group]);
        Assert.Equal([group, topic, "0", "5", "5", "0", "-", "-", "-"], Row(after.StandardOutput, group));
    }

    [Fact]
    public async Task Delete_offsets_removes_the_committed_offset_of_a_partition()
    {
        var topic = await TopicWithRecordsAsync("deloffsets", 3);
        var group = GregorTool.NewTopic("delgroup");
        await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--group", group, "--from-beginning", "--max-messages", "3"]);
        var deleted = await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--delete-offsets", "--group", group, "--topic", topic]);
        Assert.Equal(["TOPIC", "PARTITION", "STATUS"], GregorTool.Lines(deleted.StandardOutput)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal([topic, "0", "Successful"], GregorTool.Lines(deleted.StandardOutput)[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var describe = await GregorTool.RunAsync(Broker, "consumer-groups", ["--describe", "--group", group]);
        Assert.DoesNotContain(GregorTool.Lines(describe.StandardOutput), l => l.StartsWith(group + " ", StringComparison.Ordinal));
    }

    private Process StartConsoleConsumer(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[RepositoryPaths.GregorDll, "console-consumer", "--bootstrap-server", Broker.BootstrapServers, .. arguments])
        {
            info.ArgumentList.Add(a);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start console-consumer");
    }
}
