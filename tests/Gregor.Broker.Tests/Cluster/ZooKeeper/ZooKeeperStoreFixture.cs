using System.Collections.Concurrent;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.ZooKeeper;
using Gregor.ZooKeeper.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Tests.Cluster.ZooKeeper;

/// <summary>One real ZooKeeper server for the store tests; each test works under a chroot of its own.</summary>
public sealed class ZooKeeperStoreFixture : IAsyncLifetime
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

    public static string NewChroot() => "/gregor" + Guid.NewGuid().ToString("N");

    /// <summary>A client (own session) under <paramref name="chroot"/>; generous timeouts for a loaded machine.</summary>
    public Task<ZooKeeperClient> ConnectAsync(string chroot, int maxInFlight = 10) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = Server.ConnectString + chroot,
            SessionTimeout = TimeSpan.FromSeconds(30),
            ConnectionTimeout = TimeSpan.FromSeconds(60),
            MaxInFlightRequests = maxInFlight,
        });
}

[CollectionDefinition(Name)]
public sealed class ZooKeeperStoreCollection : ICollectionFixture<ZooKeeperStoreFixture>
{
    public const string Name = "ZooKeeper store";
}

/// <summary>Keeps what the store logs, to check that a skipped node was named.</summary>
public sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}

internal static class StoreTestExtensions
{
    public static ZooKeeperClusterStore Store(this ZooKeeperClient client, ILogger? logger = null) =>
        new(client, logger ?? new ListLogger(), TimeProvider.System);
}
