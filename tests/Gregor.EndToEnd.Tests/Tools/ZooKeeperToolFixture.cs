using Gregor.EndToEnd.Tests.Support;
using Gregor.ZooKeeper;
using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>One real ZooKeeper server for the tests of a class; each test works under a chroot of its own.</summary>
public sealed class ZooKeeperToolFixture : IAsyncLifetime
{
    private ZooKeeperProcess? _server;

    public ZooKeeperProcess Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _server = await ZooKeeperProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>"127.0.0.1:port/chroot" with a chroot no other test uses.</summary>
    public string FreshConnectString() => $"{Server.ConnectString}/t{Guid.NewGuid():N}";

    /// <summary>A client of the test's own, to set up and check znodes.</summary>
    public static Task<ZooKeeperClient> ConnectAsync(string connectString) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString, ConnectionTimeout = TimeSpan.FromSeconds(60) });
}

/// <summary>Runs `gregor TOOL ARGS` (a ZooKeeper tool: no --bootstrap-server) as a separate process.</summary>
internal static class ZooKeeperTool
{
    public static Task<ExternalProcess.Result> RunAsync(string tool, IEnumerable<string> arguments, string? standardInput = null) =>
        ExternalProcess.RunAsync("dotnet", [RepositoryPaths.GregorDll, tool, .. arguments], GregorTool.Timeout, standardInput);

    public static async Task<ExternalProcess.Result> SucceedAsync(string tool, IEnumerable<string> arguments, string? standardInput = null)
    {
        var result = await RunAsync(tool, arguments, standardInput);
        Assert.True(result.ExitCode == 0, $"gregor {tool} {string.Join(' ', arguments)}\n{result}");
        return result;
    }
}
