using System.Net;
using System.Net.Sockets;
using Gregor.ZooKeeper.Jute;
using Gregor.ZooKeeper.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.ZooKeeper;

// The session: connecting, reconnecting within the session, expiry, closing.
public sealed partial class ZooKeeperClient
{
    /// <summary>SetWatches requests are split so that none grows much beyond this many bytes.</summary>
    private const int SetWatchesChunkBytes = 128 * 1024;

    private readonly ZooKeeperClientOptions _options;
    private readonly ConnectString _connectString;
    private readonly ILogger _logger;
    private readonly EventThread _events;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _stateLock = new();
    private TaskCompletionSource<Connection> _connected = NewConnectedSignal();
    private Connection? _current;
    private Task _sessionLoop = Task.CompletedTask;
    private ZooKeeperState _state = ZooKeeperState.Connecting;
    private long _sessionId;
    private byte[] _password = new byte[ConnectMessages.PasswordLength];
    private long _lastZxid;
    private int _negotiatedTimeoutMs;
    private int _disposed;

    private ZooKeeperClient(ZooKeeperClientOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxInFlightRequests, 1);
        _options = options;
        _connectString = ConnectString.Parse(options.ConnectString);
        _logger = options.Logger ?? NullLogger.Instance;
        _events = new EventThread(_logger);
        _slots = new SemaphoreSlim(options.MaxInFlightRequests, options.MaxInFlightRequests);
    }

    public long SessionId => Interlocked.Read(ref _sessionId);

    public TimeSpan NegotiatedSessionTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeoutMs));

    public ZooKeeperState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    public event Action<ZooKeeperState>? StateChanged;

    internal WatchRegistry Watches { get; } = new();

    /// <summary>The highest zxid seen in a reply: a reconnect refuses servers behind it, SetWatches replays changes after it.</summary>
    internal long LastZxid => Interlocked.Read(ref _lastZxid);

    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options);
        client._logger.LogInformation("Connecting to ZooKeeper at {Hosts}", client._connectString);
        client._sessionLoop = Task.Run(client.RunSessionAsync, CancellationToken.None);
        try
        {
            await client._connected.Task.WaitAsync(options.ConnectionTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ZooKeeperConnectException(
                $"no ZooKeeper host of {string.Join(",", client._connectString.Hosts.Select(h => $"{h.Host}:{h.Port}"))} " +
                $"established a session within {options.ConnectionTimeout.TotalMilliseconds:F0} ms");
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        if (client._connectString.Chroot.Length > 0)
        {
            await client.EnsureServerPathAsync(client._connectString.Chroot, cancellationToken).ConfigureAwait(false);
        }
        return client;
    }

    /// <summary>Sends closeSession (the server removes the ephemerals at once), closes the socket and ends the event thread.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        Connection? connection;
        lock (_stateLock)
        {
            connection = _state == ZooKeeperState.Connected ? _current : null;
        }
        if (connection is not null)
        {
            connection.Closing = true;
            try
            {
                await connection.SendAsync(OpCode.CloseSession, new PendingRequest(null), null)
                    .WaitAsync(NegotiatedSessionTimeout, _options.TimeProvider).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ZooKeeperException or TimeoutException)
            {
                _logger.LogDebug("closeSession not answered: {Error}", e.Message);
            }
        }
        _shutdown.Cancel();
        _current?.Fail("client closed");
        await _sessionLoop.ConfigureAwait(false);
        bool expired;
        lock (_stateLock)
        {
            expired = _state == ZooKeeperState.Expired;
            _state = ZooKeeperState.Closed;
            FailConnectedSignal(new ObjectDisposedException(nameof(ZooKeeperClient)));
        }
        if (!expired)
        {
            PostState(ZooKeeperState.Closed);
        }
        _events.Complete(TimeSpan.FromSeconds(5));
    }

    internal void OnZxid(long zxid)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _lastZxid);
        }
        while (zxid > seen && Interlocked.CompareExchange(ref _lastZxid, zxid, seen) != seen);
    }

    /// <summary>A watch notification, WatcherEvent {type, state, path}: fires the watchers armed on the path.</summary>
    internal void OnNotification(int type, int state, string serverPath)
    {
        if (type is < (int)WatchedEventType.NodeCreated or > (int)WatchedEventType.NodeChildrenChanged)
        {
            return; // a session-state event (type None) or a watch-removed notice: nothing is armed for them
        }
        var watchedEvent = new WatchedEvent((WatchedEventType)type, _connectString.ToClient(serverPath));
        foreach (var watcher in Watches.Take(watchedEvent.Type, serverPath))
        {
            _events.Post(() => watcher(watchedEvent));
        }
    }

    /// <summary>The connection a request can go out on, once the session is connected.</summary>
    private async Task<Connection> WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<Connection> signal;
            lock (_stateLock)
            {
                ObjectDisposedException.ThrowIf(_disposed != 0, this);
                if (_state == ZooKeeperState.Expired)
                {
                    throw new ZooKeeperException(ZkErrorCode.SessionExpired, null);
                }
                signal = _connected.Task;
            }
            var connection = await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!connection.IsFailed)
            {
                return connection;
            }
            lock (_stateLock)
            {
                if (_connected.Task == signal && connection.IsFailed)
                {
                    _connected = NewConnectedSignal();
                }
            }
        }
    }

    /// <summary>
    /// Keeps the session connected: tries the hosts in random order, each for the session timeout
    /// divided among the hosts, and waits a little after a round with no success. Ends when the
    /// client closes or the session expires.
    /// </summary>
    private async Task RunSessionAsync()
    {
        var hosts = _connectString.Hosts;
        while (!_shutdown.IsCancellationRequested)
        {
            var failures = new List<string>();
            foreach (var host in hosts.OrderBy(_ => Random.Shared.Next()))
            {
                if (_shutdown.IsCancellationRequested)
                {
                    return;
                }
                Connection? connection;
                try
                {
                    connection = await ConnectToAsync(host).ConfigureAwait(false);
                }
                catch (Exception e) when (!_shutdown.IsCancellationRequested)
                {
                    failures.Add($"{host.Host}:{host.Port}: {e.Message}");
                    continue;
                }
                catch (Exception)
                {
                    return;
                }
                if (connection is null)
                {
                    return; // expired
                }
                await connection.Completion.ConfigureAwait(false);
                if (_shutdown.IsCancellationRequested)
                {
                    return;
                }
                lock (_stateLock)
                {
                    if (_connected.Task.IsCompleted)
                    {
                        _connected = NewConnectedSignal();
                    }
                    _state = ZooKeeperState.Disconnected;
                }
                PostState(ZooKeeperState.Disconnected);
            }
            if (failures.Count > 0)
            {
                _logger.LogWarning("No ZooKeeper host answered, retrying: {Failures}", string.Join("; ", failures));
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(100, 1000)), _options.TimeProvider, _shutdown.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Opens a connection to one host and establishes (or resumes) the session on it. Returns null
    /// when the server says the session has expired.
    /// </summary>
    private async Task<Connection?> ConnectToAsync(DnsEndPoint host)
    {
        var requestedMs = (int)_options.SessionTimeout.TotalMilliseconds;
        var attemptTimeout = TimeSpan.FromMilliseconds(Math.Max(1000, requestedMs / _connectString.Hosts.Count));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        attempt.CancelAfter(attemptTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        NetworkStream stream;
        try
        {
            await socket.ConnectAsync(host, attempt.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!_shutdown.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"no connection within {attemptTimeout.TotalMilliseconds:F0} ms");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        ConnectResponse response;
        try
        {
            await stream.WriteAsync(ConnectMessages.EncodeRequest(LastZxid, requestedMs, SessionId, _password), attempt.Token)
                .ConfigureAwait(false);
            response = ConnectMessages.DecodeResponse(await Connection.ReadFrameAsync(stream, attempt.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!_shutdown.IsCancellationRequested)
        {
            stream.Dispose();
            throw new TimeoutException($"no session established within {attemptTimeout.TotalMilliseconds:F0} ms");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        if (response.TimeoutMs <= 0 || (SessionId != 0 && response.SessionId != SessionId))
        {
            stream.Dispose();
            Expire();
            return null;
        }
        var resumed = SessionId != 0;
        Interlocked.Exchange(ref _sessionId, response.SessionId);
        _password = response.Password;
        Volatile.Write(ref _negotiatedTimeoutMs, response.TimeoutMs);
        var connection = new Connection(this, stream, $"{host.Host}:{host.Port}", TimeSpan.FromMilliseconds(response.TimeoutMs), _logger, _options.TimeProvider);
        connection.Start();
        if (resumed)
        {
            await RearmWatchesAsync(connection).ConfigureAwait(false);
        }
        lock (_stateLock)
        {
            if (_shutdown.IsCancellationRequested)
            {
                connection.Fail("client closed");
                return connection;
            }
            _current = connection;
            _state = ZooKeeperState.Connected;
            _connected.TrySetResult(connection);
        }
        _logger.LogInformation("ZooKeeper session 0x{SessionId:x} {Verb} on {Host}, timeout {Timeout} ms",
            response.SessionId, resumed ? "resumed" : "established", $"{host.Host}:{host.Port}", response.TimeoutMs);
        PostState(ZooKeeperState.Connected);
        return connection;
    }

    /// <summary>Arms on the server again every watch still registered, before any request is resent on the connection.</summary>
    private async Task RearmWatchesAsync(Connection connection)
    {
        var (data, exist, child) = Watches.Paths();
        var lists = new[] { data, exist, child };
        var index = new int[3];
        var relativeZxid = LastZxid;
        while (index[0] < data.Count || index[1] < exist.Count || index[2] < child.Count)
        {
            var chunk = new[] { new List<string>(), new List<string>(), new List<string>() };
            var bytes = 0;
            for (var list = 0; list < 3; list++)
            {
                while (index[list] < lists[list].Count && bytes < SetWatchesChunkBytes)
                {
                    var path = lists[list][index[list]++];
                    chunk[list].Add(path);
                    bytes += path.Length + 4;
                }
            }
            await connection.SendUnansweredAsync(SpecialXid.SetWatches, OpCode.SetWatches,
                writer => Requests.SetWatches(writer, relativeZxid, chunk[0], chunk[1], chunk[2])).ConfigureAwait(false);
        }
    }

    /// <summary>Final: pending and later calls fail with SessionExpired, armed watches are dropped.</summary>
    private void Expire()
    {
        _logger.LogWarning("ZooKeeper session 0x{SessionId:x} expired", SessionId);
        lock (_stateLock)
        {
            _state = ZooKeeperState.Expired;
            FailConnectedSignal(new ZooKeeperException(ZkErrorCode.SessionExpired, null));
        }
        Watches.Clear();
        PostState(ZooKeeperState.Expired);
    }

    /// <summary>Wakes every caller waiting for a connection with the final error. Holds _stateLock.</summary>
    private void FailConnectedSignal(Exception error)
    {
        if (!_connected.TrySetException(error))
        {
            _connected = NewConnectedSignal();
            _connected.TrySetException(error);
        }
        _ = _connected.Task.Exception; // observed: callers see the state instead
    }

    private void PostState(ZooKeeperState state) => _events.Post(() => StateChanged?.Invoke(state));

    private static TaskCompletionSource<Connection> NewConnectedSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
