using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>Every tool answers --help with its Kafka option names and the shared cluster options.</summary>
public sealed class ToolHelpTests
{
    [Theory]
    [InlineData("topics", "--replication-factor")]
    [InlineData("console-producer", "--producer-property")]
    [InlineData("console-consumer", "--from-beginning")]
    [InlineData("consumer-groups", "--reset-offsets")]
    [InlineData("configs", "--add-config")]
    [InlineData("get-offsets", "--time")]
    [InlineData("delete-records", "--offset-json-file")]
    [InlineData("producer-perf-test", "--num-records")]
    [InlineData("consumer-perf-test", "--messages")]
    public async Task Help_lists_the_kafka_options(string tool, string option)
    {
        var result = await ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, tool, "--help"], GregorTool.Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(option, result.StandardOutput);
        Assert.Contains("--bootstrap-server", result.StandardOutput);
        Assert.Contains("--command-config", result.StandardOutput);
    }

    [Fact]
    public async Task Leader_election_help_names_kafkas_options()
    {
        var result = await ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, "leader-election", "--help"], GregorTool.Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var option in new[] { "--bootstrap-server", "--admin.config", "--election-type", "--topic", "--partition", "--all-topic-partitions", "--path-to-json-file" })
        {
            Assert.Contains(option, result.StandardOutput);
        }
    }

    [Fact]
    public async Task A_missing_command_config_file_is_a_one_line_error()
    {
        var result = await ExternalProcess.RunAsync("dotnet",
            [RepositoryPaths.GregorDll, "topics", "--list", "--command-config", "/nonexistent/client.properties"], GregorTool.Timeout);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("gregor topics: error: properties file /nonexistent/client.properties not found", result.StandardError.Trim());
    }
}
