using System.Threading.Channels;

namespace Gregor.ZooKeeper.Tests.Support;

/// <summary>
/// Collects watch events and state changes in the order the client's event thread delivered
/// them, and lets a test wait (with a generous deadline) for the next ones.
/// </summary>
public sealed class EventLog
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly Channel<object> _items = Channel.CreateUnbounded<object>();

    public Action<WatchedEvent> Watcher => e => _items.Writer.TryWrite(e);

    public void Attach(ZooKeeperClient client) => client.StateChanged += s => _items.Writer.TryWrite(s);

    /// <summary>The next item delivered (a <see cref="WatchedEvent"/> or a <see cref="ZooKeeperState"/>).</summary>
    public async Task<object> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            return await _items.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no event within {Deadline}");
        }
    }

    /// <summary>Skips items until one equal to <paramref name="expected"/>; returns those skipped.</summary>
    public async Task<List<object>> WaitForAsync(object expected)
    {
        var skipped = new List<object>();
        while (true)
        {
            var item = await NextAsync();
            if (item.Equals(expected))
            {
                return skipped;
            }
            skipped.Add(item);
        }
    }
}
