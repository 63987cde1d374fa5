using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.ZooKeeper.Tests;

/// <summary>Session life: pings, reconnect within the session with watches re-armed, expiry, cancellation.</summary>
public class SessionTests
{
    [Fact]
    public async Task A_server_restart_within_the_session_keeps_session_ephemerals_and_watches()
    {
        await using var server = await ZooKeeperProcess.StartAsync();
        await using var client = await Clients.ConnectAsync(server.ConnectString, sessionTimeoutMs: 30_000);
        var states = new EventLog();
        states.Attach(client);
        var watches = new EventLog();
        var sessionId = client.SessionId;
        await client.CreateAsync("/eph", Array.Empty<byte>(), CreateMode.Ephemeral);
        await client.CreateAsync("/data", Array.Empty<byte>());
        await client.GetDataAsync("/data", watches.Watcher);
        Assert.Null(await client.ExistsAsync("/later", watches.Watcher));

        await server.StopAsync();
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        await server.RestartAsync();
        await states.WaitForAsync(ZooKeeperState.Connected);

        Assert.Equal(sessionId, client.SessionId);
        Assert.Equal(sessionId, (await client.ExistsAsync("/eph"))!.EphemeralOwner);
        await using var other = await Clients.ConnectAsync(server.ConnectString);
        await other.SetDataAsync("/data", new byte[] { 1 });
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/data"), await watches.NextAsync());
        await other.CreateAsync("/later", Array.Empty<byte>());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/later"), await watches.NextAsync());
    }

    [Fact]
    public async Task A_change_made_while_disconnected_fires_the_rearmed_watch_on_reconnect()
    {
        await using var server = await ZooKeeperProcess.StartAsync();
        await using var proxy = new FreezableTcpProxy(server.Port);
        await using var client = await Clients.ConnectAsync(proxy.ConnectString, sessionTimeoutMs: 30_000);
        await using var other = await Clients.ConnectAsync(server.ConnectString);
        var states = new EventLog();
        states.Attach(client);
        var watches = new EventLog();
        await client.CreateAsync("/data", Array.Empty<byte>());
        await client.GetDataAsync("/data", watches.Watcher);

        proxy.Freeze();
        await other.SetDataAsync("/data", new byte[] { 1 }); // the notification is lost in the frozen proxy
        await states.WaitForAsync(ZooKeeperState.Disconnected);
        proxy.Unfreeze();

        // SetWatches with the last zxid seen makes the server report the change missed meanwhile.
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/data"), await watches.NextAsync());
    }

    [Fact]
    public async Task Pings_keep_an_idle_session_alive_past_its_timeout()
    {
        await using var server = await ZooKeeperProcess.StartAsync();
        await using var client = await Clients.ConnectAsync(server.ConnectString, sessionTimeoutMs: 5_000);
        var states = new EventLog();
        states.Attach(client);
        await client.CreateAsync("/eph", Array.Empty<byte>(), CreateMode.Ephemeral);

        // Idle for three session timeouts: without pings the server would expire the session.
        await Task.Delay(client.NegotiatedSessionTimeout * 3);

        Assert.NotEqual(ZooKeeperState.Expired, client.State);
        Assert.Equal(client.SessionId, (await client.ExistsAsync("/eph"))!.EphemeralOwner);
    }

    [Fact]
    public async Task Expiry_is_reported_pending_calls_fail_and_ephemerals_are_gone()
    {
        await using var server = await ZooKeeperProcess.StartAsync();
        await using var proxy = new FreezableTcpProxy(server.Port);
        await using var client = await Clients.ConnectAsync(proxy.ConnectString, sessionTimeoutMs: 2_000);
        await using var observer = await Clients.ConnectAsync(server.ConnectString);
        var states = new EventLog();
        states.Attach(client);
        await client.CreateAsync("/eph", Array.Empty<byte>(), CreateMode.Ephemeral);
        var observed = new EventLog();
        Assert.NotNull(await observer.ExistsAsync("/eph", observed.Watcher));

        proxy.Freeze();
        var pending = client.GetDataAsync("/eph");
        // The server expires the session once it hears nothing for the timeout: the observer sees the ephemeral go.
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/eph"), await observed.NextAsync());
        proxy.Unfreeze();

        await states.WaitForAsync(ZooKeeperState.Expired);
        Assert.Equal(ZooKeeperState.Expired, client.State);
        var error = await Assert.ThrowsAsync<ZooKeeperException>(() => pending.Within());
        Assert.Equal((ZkErrorCode.SessionExpired, "/eph"), (error.Code, error.Path));
        Assert.Equal(ZkErrorCode.SessionExpired,
            (await Assert.ThrowsAsync<ZooKeeperException>(() => client.ExistsAsync("/eph"))).Code);
        Assert.Null(await observer.ExistsAsync("/eph"));
    }

    [Fact]
    public async Task A_waiting_call_is_cancelled_and_the_client_goes_on()
    {
        await using var server = await ZooKeeperProcess.StartAsync();
        await using var proxy = new FreezableTcpProxy(server.Port);
        await using var client = await Clients.ConnectAsync(proxy.ConnectString, sessionTimeoutMs: 30_000, maxInFlight: 1);
        await client.CreateAsync("/n", new byte[] { 7 });

        proxy.Freeze();
        using var cancel = new CancellationTokenSource();
        var waiting = client.GetDataAsync("/n", cancellationToken: cancel.Token);
        var queued = client.ExistsAsync("/n", cancellationToken: cancel.Token); // waits for the only slot
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.Within());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.Within());
        proxy.Unfreeze();

        Assert.Equal(new byte[] { 7 }, (await client.GetDataAsync("/n").Within()).Data);
    }
}
