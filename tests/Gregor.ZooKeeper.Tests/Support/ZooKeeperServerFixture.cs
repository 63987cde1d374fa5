// Each test class starts its own servers one after the other: JVMs started in parallel on a
// loaded machine only slow each other down.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Gregor.ZooKeeper.Tests.Support;

/// <summary>One standalone server shared by the tests of a class; each test works under its own chroot.</summary>
public sealed class ZooKeeperServerFixture : IAsyncLifetime
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

    /// <summary>A client under a chroot no other test uses.</summary>
    public Task<ZooKeeperClient> ConnectFreshAsync() => Clients.ConnectAsync(Server.ConnectString + "/t" + Guid.NewGuid().ToString("N"));
}

public static class Clients
{
    public static Task<ZooKeeperClient> ConnectAsync(string connectString, int sessionTimeoutMs = 30_000, int maxInFlight = 10) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = connectString,
            SessionTimeout = TimeSpan.FromMilliseconds(sessionTimeoutMs),
            ConnectionTimeout = TimeSpan.FromSeconds(60),
            MaxInFlightRequests = maxInFlight,
        });

    /// <summary>Waits for a task with the tests' generous deadline.</summary>
    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(EventLog.Deadline);

    public static Task Within(this Task task) => task.WaitAsync(EventLog.Deadline);
}
