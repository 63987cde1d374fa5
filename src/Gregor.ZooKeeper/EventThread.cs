using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gregor.ZooKeeper;

/// <summary>
/// The client's one event thread: watchers and state changes run on it one at a time in the
/// order they were posted. A handler that throws is logged and the next one runs.
/// </summary>
internal sealed class EventThread
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly ILogger _logger;
    private readonly Thread _thread;

    public EventThread(ILogger logger)
    {
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "zookeeper-events" };
        _thread.Start();
    }

    public bool IsCurrent => Thread.CurrentThread == _thread;

    public void Post(Action action)
    {
        try
        {
            _queue.Add(action);
        }
        catch (InvalidOperationException)
        {
            // Completed: the client is closed and nothing more is delivered.
        }
    }

    /// <summary>Runs what was posted so far, then ends the thread.</summary>
    public void Complete(TimeSpan wait)
    {
        _queue.CompleteAdding();
        if (!IsCurrent)
        {
            _thread.Join(wait);
        }
    }

    private void Run()
    {
        foreach (var action in _queue.GetConsumingEnumerable())
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "ZooKeeper watcher or state handler threw");
            }
        }
    }
}
