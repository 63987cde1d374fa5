using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>A bad configuration stops `gregor server` before it binds, naming the key; an unknown key only warns.</summary>
public sealed class StartupConfigTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string ConfigFile => Path.Combine(RepositoryPaths.Root, "config", "server.properties");

    public static TheoryData<string, string> BadValues() => new()
    {
        { "num.partitions=zero", "num.partitions" },
        { "port=70000", "port" },
        { "listeners=PLAINTEXT://127.0.0.1:70000", "listeners" },
        { "log.segment.bytes=-5", "log.segment.bytes" },
        { "auto.create.topics.enable=maybe", "auto.create.topics.enable" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Bad_value_exits_1_naming_the_key(string assignment, string key)
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-badconfig-").FullName;
        try
        {
            var (exitCode, output) = await BrokerProcess.RunToExitAsync(
                ["server", ConfigFile, "--override", $"log.dirs={logDir}", "--override", assignment], Timeout);
            Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
            Assert.Contains(key, output);
            Assert.Contains(assignment[(assignment.IndexOf('=') + 1)..], output);
            Assert.DoesNotContain("listening on", output);
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task Unwritable_log_dir_exits_1_naming_log_dirs()
    {
        // A path below a regular file can never be created, even by root.
        var file = Path.GetTempFileName();
        try
        {
            var (exitCode, output) = await BrokerProcess.RunToExitAsync(
                ["server", ConfigFile, "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={file}/logs"], Timeout);
            Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
            Assert.Contains("log.dirs", output);
            Assert.DoesNotContain("listening on", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Unknown_key_is_a_warning_and_the_broker_starts()
    {
        await using var broker = await BrokerProcess.StartAsync(["no.such.setting=1"]);
        await broker.WaitForOutputAsync("no\\.such\\.setting", TimeSpan.FromSeconds(10));
        Assert.False(broker.HasExited);
    }

    [Fact]
    public async Task Sigterm_stops_the_broker_cleanly()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var exitCode = await broker.StopAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, exitCode);
        Assert.Contains(broker.Output, line => line.Contains("stopped", StringComparison.Ordinal));
    }
}
