namespace Gregor.ZooKeeper;

/// <summary>Which watch list a successful read registers its watcher in.</summary>
internal enum WatchKind
{
    None,
    /// <summary>exists: the data list when the node exists, the exist list when it does not.</summary>
    Exists,
    Data,
    Child,
}

/// <summary>
/// The one-shot watchers by server path, in ZooKeeper's three lists: data (exists on a present
/// node, getData), exist (exists on a missing node) and child (getChildren). An event takes the
/// watchers it fires out of the lists; what is left is re-armed with SetWatches after a reconnect.
/// </summary>
internal sealed class WatchRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Action<WatchedEvent>>> _child = new(StringComparer.Ordinal);

    /// <summary>Registers the watcher of a read that the server answered with <paramref name="err"/>.</summary>
    public void Register(WatchKind kind, ZkErrorCode err, string serverPath, Action<WatchedEvent> watcher)
    {
        var list = (kind, err) switch
        {
            (WatchKind.Exists, ZkErrorCode.Ok) => _data,
            (WatchKind.Exists, ZkErrorCode.NoNode) => _exist,
            (WatchKind.Data, ZkErrorCode.Ok) => _data,
            (WatchKind.Child, ZkErrorCode.Ok) => _child,
            _ => null,
        };
        if (list is null)
        {
            return;
        }
        lock (_lock)
        {
            if (!list.TryGetValue(serverPath, out var watchers))
            {
                list[serverPath] = watchers = [];
            }
            watchers.Add(watcher);
        }
    }

    /// <summary>Removes and returns the watchers an event fires.</summary>
    public List<Action<WatchedEvent>> Take(WatchedEventType type, string serverPath)
    {
        var fired = new List<Action<WatchedEvent>>();
        lock (_lock)
        {
            switch (type)
            {
                case WatchedEventType.NodeCreated:
                case WatchedEventType.NodeDataChanged:
                    Move(_data, serverPath, fired);
                    Move(_exist, serverPath, fired);
                    break;
                case WatchedEventType.NodeChildrenChanged:
                    Move(_child, serverPath, fired);
                    break;
                case WatchedEventType.NodeDeleted:
                    Move(_data, serverPath, fired);
                    Move(_exist, serverPath, fired);
                    Move(_child, serverPath, fired);
                    break;
            }
        }
        return fired.Distinct().ToList();
    }

    /// <summary>The server paths of every armed watch, per list.</summary>
    public (List<string> Data, List<string> Exist, List<string> Child) Paths()
    {
        lock (_lock)
        {
            return ([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys]);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _data.Clear();
            _exist.Clear();
            _child.Clear();
        }
    }

    private static void Move(Dictionary<string, HashSet<Action<WatchedEvent>>> list, string path, List<Action<WatchedEvent>> into)
    {
        if (list.Remove(path, out var watchers))
        {
            into.AddRange(watchers);
        }
    }
}
