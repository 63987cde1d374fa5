using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// Runs the README's quick-start commands, as written, under bash against a test broker: `gregor`
/// is the built executable pointed at that broker, and /tmp/gregor-logs is the broker's log dir.
/// </summary>
public sealed class QuickStartTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const string Marker = "<!-- quick-start:";

    private static List<string> QuickStartLines()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith(Marker, StringComparison.Ordinal));
        Assert.True(start >= 0, "README.md has no quick-start marker");
        Assert.Equal("```sh", readme[start + 1]);
        return readme.Skip(start + 2).TakeWhile(l => l != "```").ToList();
    }

    [Fact]
    public async Task The_readme_quick_start_works_as_written()
    {
        var lines = QuickStartLines();
        Assert.StartsWith("export PATH=", lines[0], StringComparison.Ordinal); // replaced by the function below
        var script = string.Join('\n',
            [
                "set -euo pipefail",
                $"gregor() {{ dotnet '{RepositoryPaths.GregorDll}' \"$@\" --bootstrap-server '{fixture.Broker.BootstrapServers}'; }}",
                .. lines.Skip(1).Select(l => $"echo '>>> {l.Replace("'", "", StringComparison.Ordinal)}'\n" + l.Replace("/tmp/gregor-logs", fixture.Broker.LogDir, StringComparison.Ordinal)),
            ]);
        var result = await ExternalProcess.RunAsync("bash", ["-c", script], TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == 0, result.ToString());
        var output = result.StandardOutput;
        Assert.Contains("Created topic mytopic.", output);
        Assert.Contains("mytopic-0\nmytopic-1\nmytopic-2\nmytopic-3\n", output);
        Assert.Contains("k1\thello\n", output);
        Assert.Contains("k2\tworld\n", output);
        var groupRows = GregorTool.Lines(output).Where(l => l.StartsWith("mygroup ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.NotEmpty(groupRows);
        Assert.Equal(2, groupRows.Sum(r => long.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(groupRows, r => Assert.Equal("0", r[5])); // lag
        Assert.Contains("Topic: mytopic\tTopicId: ", output);
        Assert.Contains("\tTopic: mytopic\tPartition: 3\tLeader: 0\tReplicas: 0\tIsr: 0\tElr: N/A\tLastKnownElr: N/A\n", output);
    }
}
