using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.ZooKeeper.Tests;

/// <summary>
/// One-shot watches. "Did not fire" is asserted by ordering, never by a pause: a later change
/// under a fresh watch fires after anything an earlier change could have fired, because the
/// server sends a session's notifications in zxid order and the client delivers them in order.
/// </summary>
public class WatchTests(ZooKeeperServerFixture fixture) : IClassFixture<ZooKeeperServerFixture>
{
    [Fact]
    public async Task A_data_watch_fires_once()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/a", Array.Empty<byte>());
        await client.CreateAsync("/marker", Array.Empty<byte>());
        var events = new EventLog();

        await client.GetDataAsync("/a", events.Watcher);
        await client.SetDataAsync("/a", new byte[] { 1 });
        await client.SetDataAsync("/a", new byte[] { 2 });
        await client.ExistsAsync("/marker", events.Watcher);
        await client.DeleteAsync("/marker");

        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, "/a"), await events.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/marker"), await events.NextAsync());
    }

    [Fact]
    public async Task Exists_on_a_missing_node_fires_on_its_creation_and_child_watches_on_new_children()
    {
        await using var client = await fixture.ConnectFreshAsync();
        var events = new EventLog();

        Assert.Null(await client.ExistsAsync("/p", events.Watcher));
        await client.CreateAsync("/p", Array.Empty<byte>());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, "/p"), await events.NextAsync());

        await client.GetChildrenAsync("/p", events.Watcher);
        await client.CreateAsync("/p/c", Array.Empty<byte>());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeChildrenChanged, "/p"), await events.NextAsync());

        // Only the first child fired: a second child under the same (spent) watch fires nothing
        // before the marker's deletion below does.
        await client.CreateAsync("/p/d", Array.Empty<byte>());
        await client.CreateAsync("/marker", Array.Empty<byte>());
        await client.ExistsAsync("/marker", events.Watcher);
        await client.DeleteAsync("/marker");
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/marker"), await events.NextAsync());
    }

    [Fact]
    public async Task Deleting_a_node_fires_its_data_and_child_watches()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/n", Array.Empty<byte>());
        var data = new EventLog();
        var children = new EventLog();

        await client.GetDataAsync("/n", data.Watcher);
        await client.GetChildrenAsync("/n", children.Watcher);
        await client.DeleteAsync("/n");

        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/n"), await data.NextAsync());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDeleted, "/n"), await children.NextAsync());
    }

    [Fact]
    public async Task A_change_by_another_session_fires_the_watch()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await using var other = await Clients.ConnectAsync(fixture.Server.ConnectString);
        var path = "/w" + Guid.NewGuid().ToString("N");
        await other.CreateAsync(path, Array.Empty<byte>());
        var events = new EventLog();

        await other.GetDataAsync(path, events.Watcher);
        await client.DisposeAsync();
        await other.SetDataAsync(path, new byte[] { 1 });

        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, path), await events.NextAsync());
    }

    [Fact]
    public async Task Watchers_run_in_order_on_one_thread()
    {
        await using var client = await fixture.ConnectFreshAsync();
        var threads = new HashSet<int>();
        var seen = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            await client.CreateAsync($"/n{i}", Array.Empty<byte>());
            await client.GetDataAsync($"/n{i}", e =>
            {
                lock (seen)
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                    seen.Add(e.Path);
                    if (seen.Count == count)
                    {
                        done.SetResult();
                    }
                }
            });
        }

        for (var i = 0; i < count; i++)
        {
            await client.SetDataAsync($"/n{i}", new byte[] { 1 });
        }
        await done.Task.Within();

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"/n{i}"), seen);
        Assert.Single(threads);
    }
}
