namespace Gregor.ZooKeeper;

/// <summary>The node event types of a watch notification (ZooKeeper's values).</summary>
public enum WatchedEventType
{
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
}

/// <summary>A fired one-shot watch; <paramref name="Path"/> is without the chroot.</summary>
public sealed record WatchedEvent(WatchedEventType Type, string Path);
