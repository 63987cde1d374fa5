using Confluent.Kafka;
using Confluent.Kafka.Admin;
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
    public async Task Without_a_file_outside_the_repository_the_broker_starts_on_built_in_defaults()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-builtin-").FullName;
        await using var broker = await BrokerProcess.StartProgramAsync("dotnet",
            [RepositoryPaths.GregorDll, "server", "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={logDir}"],
            workingDirectory: "/", logDir);

        Assert.Contains("built-in defaults", broker.Output.First(), StringComparison.Ordinal);
        // The shipped file's values, e.g. its group.initial.rebalance.delay.ms=0.
        await broker.WaitForOutputAsync(@"\tgroup\.initial\.rebalance\.delay\.ms = 0$", Timeout);
        Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_named_file_that_does_not_exist_is_an_error()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"gregor-missing-{Guid.NewGuid():N}.properties");
        var (exitCode, output) = await BrokerProcess.RunToExitAsync(["server", missing, "--override", "listeners=PLAINTEXT://127.0.0.1:0"], Timeout);
        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains($"configuration file {missing} not found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_startup_configuration_is_one_key_per_line_with_dynamic_overrides_in_effect()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-listing-").FullName;
        try
        {
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var admin = Admin.AdminClients.Create(broker.BootstrapServers);
                await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
                {
                    [new ConfigResource { Type = ResourceType.Broker, Name = "0" }] =
                        [new ConfigEntry { Name = "message.max.bytes", Value = "2000000", IncrementalOperation = AlterConfigOpType.Set }],
                });
                Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
            }
            await using (var restarted = await BrokerProcess.StartAsync(logDir: logDir))
            {
                await restarted.WaitForOutputAsync("KafkaConfig values:$", Timeout);
                await restarted.WaitForOutputAsync(@"\tmessage\.max\.bytes = 2000000$", Timeout);
                await restarted.WaitForOutputAsync(@"\tnum\.partitions = 1$", Timeout);
                Assert.DoesNotContain(restarted.Output, line => line.Contains("message.max.bytes = 1048588", StringComparison.Ordinal));
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task KRaft_settings_get_one_warning_and_node_id_is_the_broker_id()
    {
        await using var broker = await BrokerProcess.StartAsync(["node.id=0", "process.roles=broker,controller", "controller.quorum.voters=0@localhost:9093"]);
        var warning = await broker.WaitForOutputAsync("without KRaft", TimeSpan.FromSeconds(30));
        Assert.Contains("controller.quorum.voters, process.roles", warning, StringComparison.Ordinal);
        await broker.WaitForOutputAsync(@"\tnode\.id = 0$", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(broker.Output, line => line.Contains("unknown configuration key", StringComparison.Ordinal));
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
