namespace Gregor.ZooKeeper;

/// <summary>A request that ZooKeeper answered with an error (or that the session could not carry).</summary>
public sealed class ZooKeeperException(ZkErrorCode code, string? path)
    : Exception(path is null ? $"ZooKeeper error {code}" : $"ZooKeeper error {code} for {path}")
{
    public ZkErrorCode Code { get; } = code;

    public string? Path { get; } = path;
}

/// <summary>No host of the connect string established a session within the connection timeout.</summary>
public sealed class ZooKeeperConnectException(string message, Exception? inner = null) : Exception(message, inner);
