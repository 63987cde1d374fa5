using System.Text;
using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.ZooKeeper.Tests;

/// <summary>Every operation against a real standalone server.</summary>
public class OperationTests(ZooKeeperServerFixture fixture) : IClassFixture<ZooKeeperServerFixture>
{
    [Fact]
    public async Task Create_get_set_with_version_and_delete_round_trip()
    {
        await using var client = await fixture.ConnectFreshAsync();

        Assert.Equal("/a", await client.CreateAsync("/a", "one"u8.ToArray()));
        var (data, stat) = await client.GetDataAsync("/a");
        Assert.Equal("one", Encoding.UTF8.GetString(data));
        Assert.Equal(0, stat.Version);
        Assert.Equal(3, stat.DataLength);
        Assert.Equal(0, stat.EphemeralOwner);

        var updated = await client.SetDataAsync("/a", "two"u8.ToArray(), version: 0);
        Assert.Equal(1, updated.Version);
        var stale = await Assert.ThrowsAsync<ZooKeeperException>(() => client.SetDataAsync("/a", "x"u8.ToArray(), version: 0));
        Assert.Equal((ZkErrorCode.BadVersion, "/a"), (stale.Code, stale.Path));
        Assert.Equal("two", Encoding.UTF8.GetString((await client.GetDataAsync("/a")).Data));

        var wrongDelete = await Assert.ThrowsAsync<ZooKeeperException>(() => client.DeleteAsync("/a", version: 0));
        Assert.Equal(ZkErrorCode.BadVersion, wrongDelete.Code);
        await client.DeleteAsync("/a", version: 1);
        Assert.Null(await client.ExistsAsync("/a"));
        var missing = await Assert.ThrowsAsync<ZooKeeperException>(() => client.GetDataAsync("/a"));
        Assert.Equal(ZkErrorCode.NoNode, missing.Code);
    }

    [Fact]
    public async Task Errors_of_the_server_are_thrown_with_code_and_path()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/p", Array.Empty<byte>());
        await client.CreateAsync("/p/c", Array.Empty<byte>());

        Assert.Equal(ZkErrorCode.NodeExists, (await Assert.ThrowsAsync<ZooKeeperException>(() => client.CreateAsync("/p", Array.Empty<byte>()))).Code);
        Assert.Equal(ZkErrorCode.NotEmpty, (await Assert.ThrowsAsync<ZooKeeperException>(() => client.DeleteAsync("/p"))).Code);
        var noParent = await Assert.ThrowsAsync<ZooKeeperException>(() => client.CreateAsync("/none/c", Array.Empty<byte>()));
        Assert.Equal((ZkErrorCode.NoNode, "/none/c"), (noParent.Code, noParent.Path));
        Assert.Contains("/none/c", noParent.Message);
        await client.CreateAsync("/e", Array.Empty<byte>(), CreateMode.Ephemeral);
        Assert.Equal(ZkErrorCode.NoChildrenForEphemerals,
            (await Assert.ThrowsAsync<ZooKeeperException>(() => client.CreateAsync("/e/c", Array.Empty<byte>()))).Code);
    }

    [Fact]
    public async Task Create2_returns_the_stat_and_exists_returns_the_same()
    {
        await using var client = await fixture.ConnectFreshAsync();

        var (path, stat) = await client.Create2Async("/n", "abc"u8.ToArray());
        Assert.Equal("/n", path);
        Assert.Equal(3, stat.DataLength);
        Assert.Equal(stat, await client.ExistsAsync("/n"));
    }

    [Fact]
    public async Task Sequential_nodes_get_increasing_ten_digit_suffixes()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/q", Array.Empty<byte>());

        var first = await client.CreateAsync("/q/item-", Array.Empty<byte>(), CreateMode.PersistentSequential);
        var second = await client.CreateAsync("/q/item-", Array.Empty<byte>(), CreateMode.EphemeralSequential);

        Assert.Equal("/q/item-0000000000", first);
        Assert.Equal("/q/item-0000000001", second);
        Assert.Equal(client.SessionId, (await client.ExistsAsync(second))!.EphemeralOwner);
    }

    [Fact]
    public async Task Get_children_lists_names_and_the_parent_stat()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/p", Array.Empty<byte>());
        foreach (var name in new[] { "x", "y", "z" })
        {
            await client.CreateAsync("/p/" + name, Array.Empty<byte>());
        }

        var (children, stat) = await client.GetChildrenAsync("/p");

        Assert.Equal(["x", "y", "z"], children.Order());
        Assert.Equal(3, stat.NumChildren);
        Assert.Empty((await client.GetChildrenAsync("/p/x")).Children);
    }

    [Fact]
    public async Task Chroot_is_created_at_connect_prefixed_on_paths_and_stripped_from_results()
    {
        var chroot = "/c" + Guid.NewGuid().ToString("N") + "/deeper";
        await using var rooted = await Clients.ConnectAsync(fixture.Server.ConnectString + chroot);
        await using var plain = await Clients.ConnectAsync(fixture.Server.ConnectString);
        Assert.NotNull(await plain.ExistsAsync(chroot));

        var created = await rooted.CreateAsync("/s-", "v"u8.ToArray(), CreateMode.PersistentSequential);
        Assert.Equal("/s-0000000000", created);
        Assert.Equal("v", Encoding.UTF8.GetString((await plain.GetDataAsync(chroot + created)).Data));
        Assert.Equal(["s-0000000000"], (await rooted.GetChildrenAsync("/")).Children);

        var events = new EventLog();
        await rooted.ExistsAsync("/later", events.Watcher);
        await plain.CreateAsync(chroot + "/later", Array.Empty<byte>());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/later"), await events.NextAsync());
    }

    [Fact]
    public async Task Ensure_path_creates_missing_parents_and_accepts_existing_ones()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/a", "keep"u8.ToArray());

        await client.EnsurePathAsync("/a/b/c");
        await client.EnsurePathAsync("/a/b/c");

        Assert.NotNull(await client.ExistsAsync("/a/b/c"));
        Assert.Equal("keep", Encoding.UTF8.GetString((await client.GetDataAsync("/a")).Data));
    }

    [Fact]
    public async Task Ensure_path_of_the_root_is_a_no_op()
    {
        await using var plain = await Clients.ConnectAsync(fixture.Server.ConnectString);
        await using var rooted = await fixture.ConnectFreshAsync();

        await plain.EnsurePathAsync("/");
        await rooted.EnsurePathAsync("/");

        Assert.NotNull(await plain.ExistsAsync("/"));
    }

    [Fact]
    public async Task Dispose_closes_the_session_and_its_ephemerals_go_at_once()
    {
        await using var observer = await fixture.ConnectFreshAsync();
        var chroot = "/o" + Guid.NewGuid().ToString("N");
        var client = await Clients.ConnectAsync(fixture.Server.ConnectString + chroot);
        await client.CreateAsync("/eph", Array.Empty<byte>(), CreateMode.Ephemeral);
        await using var plain = await Clients.ConnectAsync(fixture.Server.ConnectString);
        Assert.NotNull(await plain.ExistsAsync(chroot + "/eph"));

        await client.DisposeAsync();

        Assert.Equal(ZooKeeperState.Closed, client.State);
        Assert.Null(await plain.ExistsAsync(chroot + "/eph"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ExistsAsync("/eph"));
    }

    [Fact]
    public async Task Negotiated_timeout_is_the_servers_answer()
    {
        await using var client = await Clients.ConnectAsync(fixture.Server.ConnectString, sessionTimeoutMs: 120_000);

        // The test server's maxSessionTimeout is 60 s.
        Assert.Equal(TimeSpan.FromSeconds(60), client.NegotiatedSessionTimeout);
        Assert.Equal(ZooKeeperState.Connected, client.State);
        Assert.NotEqual(0, client.SessionId);
    }

    [Fact]
    public async Task Connect_to_a_port_nobody_listens_on_throws_naming_the_host()
    {
        var port = ZooKeeperServerProcess.FreePort();
        var error = await Assert.ThrowsAsync<ZooKeeperConnectException>(() => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = $"127.0.0.1:{port}",
            ConnectionTimeout = TimeSpan.FromSeconds(2),
        }));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }
}
