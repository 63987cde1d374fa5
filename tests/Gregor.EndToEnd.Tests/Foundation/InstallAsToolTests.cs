using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// `gregor` as a user installs it, following the README: `dotnet pack` makes a .NET tool package,
/// `dotnet tool install` puts it in a tool path, and the installed `gregor server` runs from `/`
/// with no configuration file, its client tools talking to it with the librdkafka shipped inside.
/// </summary>
public sealed class InstallAsToolTests : IDisposable
{
    // Packing and installing read and write whole packages on a busy machine: generous.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    private readonly string _dir = Directory.CreateTempSubdirectory("gregor-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_and_serves_from_the_root_directory_without_a_file()
    {
        var packages = Path.Combine(_dir, "packages");
        var toolPath = Path.Combine(_dir, "tools");
        var project = Path.Combine(RepositoryPaths.Root, "src", "Gregor", "Gregor.csproj");
        await Succeed("dotnet", ["pack", project, "-c", RepositoryPaths.Configuration, "--no-build", "-nologo", "-o", packages]);
        Assert.Single(Directory.GetFiles(packages, "gregor.*.nupkg"));

        // Only the package just made: no remote feed, and a private package cache so that a
        // package of the same version cached by an earlier run cannot stand in for this one.
        var nugetConfig = Path.Combine(_dir, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(_dir, "cache")}" /></config>
              <packageSources><clear /><add key="local" value="{packages}" /></packageSources>
            </configuration>
            """);
        await Succeed("dotnet", ["tool", "install", "gregor", "--tool-path", toolPath, "--configfile", nugetConfig]);
        var gregor = Path.Combine(toolPath, "gregor");
        Assert.Contains(Directory.GetFiles(Path.Combine(toolPath, ".store"), "librdkafka.so", SearchOption.AllDirectories),
            f => f.Contains(Path.Combine("runtimes", "linux-x64", "native"), StringComparison.Ordinal));

        var logDir = Path.Combine(_dir, "logs");
        await using var broker = await BrokerProcess.StartProgramAsync(gregor,
            ["server", "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={logDir}"],
            workingDirectory: "/", logDir);
        Assert.Contains("built-in defaults", broker.Output.First(), StringComparison.Ordinal);

        var topic = $"installed-{Guid.NewGuid():N}";
        await Succeed(gregor, ["topics", "--bootstrap-server", broker.BootstrapServers, "--create", "--topic", topic, "--partitions", "2", "--replication-factor", "1"]);
        var listed = await Succeed(gregor, ["topics", "--bootstrap-server", broker.BootstrapServers, "--list"]);
        Assert.Contains(topic, listed.StandardOutput.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task<ExternalProcess.Result> Succeed(string program, string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(program, arguments, StepTimeout, workingDirectory: "/");
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}\n{result}");
        return result;
    }
}
