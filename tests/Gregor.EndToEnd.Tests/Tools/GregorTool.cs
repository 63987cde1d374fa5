using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>Runs `gregor TOOL --bootstrap-server BROKER ARGS` as a separate process, the way an operator would.</summary>
internal static class GregorTool
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static Task<ExternalProcess.Result> RunAsync(BrokerProcess broker, string tool, IEnumerable<string> arguments, string? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, tool, "--bootstrap-server", broker.BootstrapServers, .. arguments], Timeout, standardInput,
            environment: environment);

    /// <summary>Runs the tool and fails the test, showing its output, unless it exits 0.</summary>
    public static async Task<ExternalProcess.Result> SucceedAsync(BrokerProcess broker, string tool, IEnumerable<string> arguments, string? standardInput = null)
    {
        var result = await RunAsync(broker, tool, arguments, standardInput);
        Assert.True(result.ExitCode == 0, $"gregor {tool} {string.Join(' ', arguments)}\n{result}");
        return result;
    }

    public static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
