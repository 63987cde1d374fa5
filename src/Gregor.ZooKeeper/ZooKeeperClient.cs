using Gregor.ZooKeeper.Jute;
using Gregor.ZooKeeper.Protocol;

namespace Gregor.ZooKeeper;

/// <summary>
/// A ZooKeeper client on the jute wire protocol. Paths are relative to the chroot of the connect
/// string. Every call takes one of MaxInFlightRequests slots until it is answered; a call that
/// loses its connection is sent again once the session is reconnected, until the session expires
/// (SessionExpired) or the caller cancels. After DisposeAsync calls throw ObjectDisposedException.
/// </summary>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    public async Task<string> CreateAsync(string path, ReadOnlyMemory<byte> data, CreateMode mode = CreateMode.Persistent,
        CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.Create, new PendingRequest(path),
            writer => Requests.Create(writer, serverPath, data.Span, mode), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        return _connectString.ToClient(new JuteReader(reply.Body).ReadString() ?? "");
    }

    public async Task<(string Path, ZkStat Stat)> Create2Async(string path, ReadOnlyMemory<byte> data,
        CreateMode mode = CreateMode.Persistent, CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.Create2, new PendingRequest(path),
            writer => Requests.Create(writer, serverPath, data.Span, mode), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body);
        var created = _connectString.ToClient(reader.ReadString() ?? "");
        return (created, reader.ReadStat());
    }

    public async Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.Delete, new PendingRequest(path),
            writer => Requests.PathAndVersion(writer, serverPath, version), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
    }

    /// <summary>The node's stat, or null when it does not exist; the watcher fires on its creation, change or deletion.</summary>
    public async Task<ZkStat?> ExistsAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.Exists, new PendingRequest(path, WatchKind.Exists, serverPath, watcher),
            writer => Requests.PathAndWatch(writer, serverPath, watcher is not null), cancellationToken).ConfigureAwait(false);
        if (reply.Err == ZkErrorCode.NoNode)
        {
            return null;
        }
        ThrowOnError(reply, path);
        return new JuteReader(reply.Body).ReadStat();
    }

    public async Task<(byte[] Data, ZkStat Stat)> GetDataAsync(string path, Action<WatchedEvent>? watcher = null,
        CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.GetData, new PendingRequest(path, WatchKind.Data, serverPath, watcher),
            writer => Requests.PathAndWatch(writer, serverPath, watcher is not null), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body);
        var data = reader.ReadBuffer();
        return (data, reader.ReadStat());
    }

    public async Task<ZkStat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1,
        CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.SetData, new PendingRequest(path),
            writer => Requests.SetData(writer, serverPath, data.Span, version), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        return new JuteReader(reply.Body).ReadStat();
    }

    /// <summary>getChildren2: the children's names (not paths) and the node's stat.</summary>
    public async Task<(IReadOnlyList<string> Children, ZkStat Stat)> GetChildrenAsync(string path,
        Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var serverPath = _connectString.ToServer(path);
        var reply = await CallAsync(OpCode.GetChildren2, new PendingRequest(path, WatchKind.Child, serverPath, watcher),
            writer => Requests.PathAndWatch(writer, serverPath, watcher is not null), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, path);
        var reader = new JuteReader(reply.Body);
        var children = reader.ReadStrings();
        return (children, reader.ReadStat());
    }

    /// <summary>All ops or none; one result per op (see <see cref="ZkOpResult"/>), no exception for a failed op.</summary>
    public async Task<IReadOnlyList<ZkOpResult>> MultiAsync(IReadOnlyList<ZkOp> ops, CancellationToken cancellationToken = default)
    {
        var serverPaths = ops.Select(op => _connectString.ToServer(op.Path)).ToList();
        var reply = await CallAsync(OpCode.Multi, new PendingRequest(null), writer =>
        {
            var next = 0;
            Requests.Multi(writer, ops, _ => serverPaths[next++]);
        }, cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, null);
        return Responses.Multi(new JuteReader(reply.Body), _connectString.ToClient);
    }

    /// <summary>
    /// Reads many nodes in one request (ZooKeeper 3.6's multiRead): one result per path, in order, each
    /// with its own outcome (a missing node is NoNode there, not an exception). No watches. A server
    /// before 3.6 answers Unimplemented, thrown as a <see cref="ZooKeeperException"/>.
    /// </summary>
    public async Task<IReadOnlyList<ZkDataResult>> GetDataManyAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        var serverPaths = new string[paths.Count];
        for (var i = 0; i < serverPaths.Length; i++)
        {
            serverPaths[i] = _connectString.ToServer(paths[i]);
        }
        var reply = await CallAsync(OpCode.MultiRead, new PendingRequest(null),
            writer => Requests.MultiReadData(writer, serverPaths), cancellationToken).ConfigureAwait(false);
        ThrowOnError(reply, null);
        var results = Responses.MultiReadData(new JuteReader(reply.Body));
        if (results.Count != paths.Count)
        {
            throw new InvalidDataException($"multiRead answered {results.Count} results for {paths.Count} reads");
        }
        return results;
    }

    public Task EnsurePathAsync(string path, CancellationToken cancellationToken = default) =>
        EnsureServerPathAsync(_connectString.ToServer(path), cancellationToken);

    /// <summary>Creates a server path (not under the chroot) and its missing parents as empty persistent nodes.</summary>
    private async Task EnsureServerPathAsync(string serverPath, CancellationToken cancellationToken)
    {
        var end = 0;
        while (end < serverPath.Length)
        {
            end = serverPath.IndexOf('/', end + 1);
            if (end < 0)
            {
                end = serverPath.Length;
            }
            var prefix = serverPath[..end];
            var reply = await CallAsync(OpCode.Create, new PendingRequest(prefix),
                writer => Requests.Create(writer, prefix, [], CreateMode.Persistent), cancellationToken).ConfigureAwait(false);
            if (reply.Err != ZkErrorCode.NodeExists)
            {
                ThrowOnError(reply, prefix);
            }
        }
    }

    /// <summary>
    /// Sends a request once a slot is free and the session connected; on ConnectionLoss sends it
    /// again after the reconnect. A cancelled call keeps its slot until its request is answered or
    /// its connection fails, so the server never has more than MaxInFlightRequests of ours.
    /// </summary>
    private async Task<Reply> CallAsync(OpCode type, PendingRequest first, Action<JuteWriter> body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var releaseSlot = true;
        try
        {
            var request = first;
            while (true)
            {
                Connection connection;
                try
                {
                    connection = await WaitForConnectionAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ZooKeeperException e) when (e.Path is null && request.ClientPath is not null)
                {
                    throw new ZooKeeperException(e.Code, request.ClientPath);
                }
                var sent = connection.SendAsync(type, request, body);
                try
                {
                    return await sent.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !sent.IsCompleted)
                {
                    releaseSlot = false;
                    _ = sent.ContinueWith(_ => _slots.Release(), CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    throw;
                }
                catch (ZooKeeperException e) when (e.Code == ZkErrorCode.ConnectionLoss)
                {
                    request = new PendingRequest(first.ClientPath, first.Watch, first.WatchPath, first.Watcher);
                }
            }
        }
        finally
        {
            if (releaseSlot)
            {
                _slots.Release();
            }
        }
    }

    private static void ThrowOnError(Reply reply, string? path)
    {
        if (reply.Err != ZkErrorCode.Ok)
        {
            throw new ZooKeeperException(reply.Err, path);
        }
    }
}
