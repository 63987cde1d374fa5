using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gregor.ZooKeeper.Jute;
using Gregor.ZooKeeper.Protocol;
using Microsoft.Extensions.Logging;

namespace Gregor.ZooKeeper;

/// <summary>An answer to a request: the reply header's error and the response body after it.</summary>
internal readonly record struct Reply(ZkErrorCode Err, ReadOnlyMemory<byte> Body);

/// <summary>A request sent and not answered yet; the server answers in the order of the xids.</summary>
internal sealed class PendingRequest(string? clientPath, WatchKind watch = WatchKind.None, string? watchPath = null,
    Action<WatchedEvent>? watcher = null)
{
    public int Xid { get; set; }

    public string? ClientPath { get; } = clientPath;

    public WatchKind Watch { get; } = watch;

    public string? WatchPath { get; } = watchPath;

    public Action<WatchedEvent>? Watcher { get; } = watcher;

    public TaskCompletionSource<Reply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// One TCP connection carrying an established session. It writes requests under a lock with
/// increasing xids, reads replies in that order, pings after a third of the session timeout
/// without a write and gives up after two thirds without anything read. When it fails, every
/// request still waiting gets ConnectionLoss and <see cref="Completion"/> ends.
/// </summary>
internal sealed class Connection
{
    /// <summary>The largest frame accepted from the server.</summary>
    public const int MaxFrameLength = 64 * 1024 * 1024;

    private readonly NetworkStream _stream;
    private readonly ZooKeeperClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pingInterval;
    private readonly TimeSpan _readTimeout;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<PendingRequest> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _xid;
    private bool _failed;
    private long _lastSend;
    private long _lastReceive;

    public Connection(ZooKeeperClient client, NetworkStream stream, string host, TimeSpan sessionTimeout,
        ILogger logger, TimeProvider time)
    {
        _client = client;
        _stream = stream;
        Host = host;
        _logger = logger;
        _time = time;
        _pingInterval = sessionTimeout / 3;
        _readTimeout = sessionTimeout * 2 / 3;
        _lastSend = _lastReceive = time.GetTimestamp();
    }

    public string Host { get; }

    public Task Completion => _completion.Task;

    /// <summary>Set before closeSession: the server closing the connection afterwards is expected, not news.</summary>
    public bool Closing { get; set; }

    public bool IsFailed
    {
        get
        {
            lock (_pending)
            {
                return _failed;
            }
        }
    }

    public void Start()
    {
        _ = ReceiveLoopAsync();
        _ = HeartbeatLoopAsync();
    }

    /// <summary>Sends a request and completes with its reply, or with ConnectionLoss when the connection fails first.</summary>
    public async Task<Reply> SendAsync(OpCode type, PendingRequest request, Action<JuteWriter>? body)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var writer = new JuteWriter();
            lock (_pending)
            {
                if (_failed)
                {
                    throw new ZooKeeperException(ZkErrorCode.ConnectionLoss, request.ClientPath);
                }
                request.Xid = ++_xid;
                Requests.Header(writer, request.Xid, type);
                body?.Invoke(writer);
                _pending.Enqueue(request);
            }
            await WriteAsync(writer.ToFrame()).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
        return await request.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Writes a request with a special xid whose reply is not waited for (ping, SetWatches).</summary>
    public async Task SendUnansweredAsync(int xid, OpCode type, Action<JuteWriter>? body)
    {
        var writer = new JuteWriter();
        Requests.Header(writer, xid, type);
        body?.Invoke(writer);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await WriteAsync(writer.ToFrame()).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the socket and fails what is waiting; only the first call counts.</summary>
    public void Fail(string reason)
    {
        List<PendingRequest> waiting;
        lock (_pending)
        {
            if (_failed)
            {
                return;
            }
            _failed = true;
            waiting = [.. _pending];
            _pending.Clear();
        }
        _logger.Log(Closing ? LogLevel.Debug : LogLevel.Information, "ZooKeeper connection to {Host} closed: {Reason}", Host, reason);
        _stop.Cancel();
        _stream.Dispose();
        foreach (var request in waiting)
        {
            request.Completion.TrySetException(new ZooKeeperException(ZkErrorCode.ConnectionLoss, request.ClientPath));
        }
        _completion.TrySetResult();
    }

    /// <summary>Reads one frame: an int32 length then that many bytes.</summary>
    public static async Task<byte[]> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[4];
        await stream.ReadExactlyAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length is < 0 or > MaxFrameLength)
        {
            throw new InvalidDataException($"frame length {length} out of range");
        }
        var frame = new byte[length];
        await stream.ReadExactlyAsync(frame, cancellationToken).ConfigureAwait(false);
        return frame;
    }

    private async Task WriteAsync(byte[] frame)
    {
        try
        {
            // Never cancelled: a frame cut in half would desynchronise the stream.
            await _stream.WriteAsync(frame).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastSend, _time.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Fail($"write failed: {e.Message}");
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var frame = await ReadFrameAsync(_stream, _stop.Token).ConfigureAwait(false);
                Interlocked.Exchange(ref _lastReceive, _time.GetTimestamp());
                var reader = new JuteReader(frame);
                var header = ReplyHeader.Read(reader);
                switch (header.Xid)
                {
                    case SpecialXid.Ping:
                        break;
                    case SpecialXid.Notification:
                        _client.OnNotification(reader.ReadInt(), reader.ReadInt(), reader.ReadString() ?? "");
                        break;
                    case SpecialXid.SetWatches:
                        if (header.Err != ZkErrorCode.Ok)
                        {
                            _logger.LogWarning("ZooKeeper refused SetWatches with {Error}", header.Err);
                        }
                        break;
                    default:
                        OnReply(header, frame.AsMemory(frame.Length - reader.Remaining));
                        break;
                }
            }
        }
        catch (Exception e)
        {
            Fail(e is EndOfStreamException ? "the server closed the connection" : e.Message);
        }
    }

    private void OnReply(ReplyHeader header, ReadOnlyMemory<byte> body)
    {
        PendingRequest? request;
        lock (_pending)
        {
            _pending.TryDequeue(out request);
        }
        if (request is null || request.Xid != header.Xid)
        {
            throw new InvalidDataException($"reply with xid {header.Xid}, expected {request?.Xid.ToString() ?? "none"}");
        }
        if (header.Zxid > 0)
        {
            _client.OnZxid(header.Zxid);
        }
        if (request.Watcher is not null && request.WatchPath is not null)
        {
            _client.Watches.Register(request.Watch, header.Err, request.WatchPath, request.Watcher);
        }
        request.Completion.TrySetResult(new Reply(header.Err, body));
    }

    private async Task HeartbeatLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var idleReceive = _time.GetElapsedTime(Interlocked.Read(ref _lastReceive));
                if (idleReceive >= _readTimeout)
                {
                    Fail($"nothing received for {idleReceive.TotalMilliseconds:F0} ms (read timeout {_readTimeout.TotalMilliseconds:F0} ms)");
                    return;
                }
                var idleSend = _time.GetElapsedTime(Interlocked.Read(ref _lastSend));
                if (idleSend >= _pingInterval)
                {
                    await SendUnansweredAsync(SpecialXid.Ping, OpCode.Ping, null).ConfigureAwait(false);
                    continue;
                }
                var wait = Min(_pingInterval - idleSend, _readTimeout - idleReceive);
                await Task.Delay(wait + TimeSpan.FromMilliseconds(1), _time, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection failed or closed.
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
