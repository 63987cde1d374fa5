using System.Text.RegularExpressions;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// What every tool does with a command line it cannot use: one line on stderr naming the problem
/// (and pointing to --help for the options), exit code 1, nothing on stdout; and --version.
/// None of these needs a broker: they fail before connecting.
/// </summary>
public sealed class CommandLineErrorTests
{
    public static TheoryData<string> Tools =>
    [
        "server", "topics", "console-producer", "console-consumer", "consumer-groups", "configs", "get-offsets", "delete-records",
        "producer-perf-test", "consumer-perf-test", "dump-log", "leader-election",
    ];

    private static Task<ExternalProcess.Result> RunAsync(params string[] arguments) =>
        ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, .. arguments], GregorTool.Timeout);

    private static void AssertOneLineError(ExternalProcess.Result result, string expected)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("", result.StandardOutput);
        Assert.Equal(expected, result.StandardError.TrimEnd('\n'));
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task An_unknown_option_is_one_line_pointing_to_help(string tool)
    {
        AssertOneLineError(await RunAsync(tool, "--no-such-option"),
            $"gregor {tool}: error: Unrecognized command or argument '--no-such-option' (see 'gregor {tool} --help')");
    }

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task Version_prints_the_version(string tool)
    {
        var result = await RunAsync(tool, "--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+\S*\n$", result.StandardOutput);
    }

    [Fact]
    public async Task A_missing_argument_is_one_line_naming_the_option()
    {
        AssertOneLineError(await RunAsync("topics", "--describe", "--topic"),
            "gregor topics: error: Required argument missing for option: '--topic' (see 'gregor topics --help')");
    }

    [Fact]
    public async Task A_malformed_number_is_one_line_naming_the_option_and_value()
    {
        AssertOneLineError(await RunAsync("topics", "--create", "--topic", "t", "--partitions", "many"),
            "gregor topics: error: invalid value 'many' for --partitions (see 'gregor topics --help')");
    }

    [Fact]
    public async Task A_misspelt_command_is_named()
    {
        AssertOneLineError(await RunAsync("topic", "--list"), "gregor: error: Unrecognized command or argument 'topic' (see 'gregor --help')");
    }

    [Theory]
    [InlineData("topics")]
    [InlineData("console-producer")]
    [InlineData("console-consumer")]
    [InlineData("consumer-groups")]
    [InlineData("configs")]
    [InlineData("get-offsets")]
    [InlineData("delete-records")]
    [InlineData("producer-perf-test")]
    [InlineData("consumer-perf-test")]
    public async Task Bootstrap_server_help_states_its_default_once(string tool)
    {
        var help = await RunAsync(tool, "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        var line = Assert.Single(help.StandardOutput.Split('\n'), l => l.TrimStart().StartsWith("--bootstrap-server", StringComparison.Ordinal));
        Assert.Single(Regex.Matches(line, "localhost:9092"));
    }

    [Fact]
    public async Task An_unknown_producer_property_is_one_line_naming_it()
    {
        AssertOneLineError(await RunAsync("console-producer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t", "--producer-property", "no.such.key=1"),
            "gregor console-producer: error: --producer.config/--producer-property: unknown client property 'no.such.key'");
    }

    [Fact]
    public async Task An_unknown_consumer_property_is_one_line_naming_it()
    {
        AssertOneLineError(await RunAsync("console-consumer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t", "--consumer-property", "no.such.key=1"),
            "gregor console-consumer: error: --consumer.config/--consumer-property: unknown client property 'no.such.key'");
    }

    [Fact]
    public async Task An_invalid_consumer_property_value_is_one_line_with_librdkafkas_reason()
    {
        AssertOneLineError(await RunAsync("console-consumer", "--bootstrap-server", "127.0.0.1:1", "--topic", "t", "--consumer-property", "enable.auto.commit=maybe"),
            "gregor console-consumer: error: --consumer.config/--consumer-property: Expected bool value for \"enable.auto.commit\": true or false");
    }

    [Fact]
    public async Task An_unknown_command_config_key_is_one_line_naming_the_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "client.id=ops\nno.such.key=1\n");
            AssertOneLineError(await RunAsync("topics", "--bootstrap-server", "127.0.0.1:1", "--list", "--command-config", file),
                $"gregor topics: error: --command-config {file}: unknown client property 'no.such.key'");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
