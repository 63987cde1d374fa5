using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>
/// A TCP proxy on a free 127.0.0.1 port in front of one broker: every accepted connection is
/// forwarded to <see cref="TargetPort"/> (which may change when the broker restarts on a new
/// port). Faults, each undone by <see cref="Heal"/>:
/// <list type="bullet">
/// <item><see cref="Cut"/> closes the connections it applies to and refuses (accepts and closes)
/// new ones;</item>
/// <item><see cref="Delay"/> holds every forwarded chunk for a while;</item>
/// <item><see cref="Pause"/> stops forwarding (bytes wait in the sockets) until healed.</item>
/// </list>
/// A fault can apply to every connection or only to those whose first Kafka request names a
/// client id the predicate accepts (the header of a request frame: int32 size, int16 api key,
/// int16 version, int32 correlation id, int16-length client id), so a test can cut a broker off
/// from the other brokers while its clients still reach it.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly List<Link> _links = [];
    private readonly Task _acceptLoop;
    private bool _cutAll;
    private Func<string, bool>? _cutFor;
    private TimeSpan _delay;
    private TaskCompletionSource _unpaused = NewOpenGate();

    public TcpProxy()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>Where connections go; 0 refuses them (nothing to forward to yet).</summary>
    public int TargetPort { get; set; }

    /// <summary>Connections forwarded now.</summary>
    public int OpenLinks
    {
        get
        {
            lock (_lock)
            {
                return _links.Count;
            }
        }
    }

    /// <summary>Closes every connection (or those whose client id <paramref name="clientIds"/> accepts) and refuses new ones until healed.</summary>
    public void Cut(Func<string, bool>? clientIds = null)
    {
        List<Link> closing;
        lock (_lock)
        {
            _cutAll |= clientIds is null;
            _cutFor = clientIds ?? _cutFor;
            closing = [.. _links.Where(l => IsCutLocked(l.ClientId))];
        }
        foreach (var link in closing)
        {
            link.Close();
        }
    }

    /// <summary>Holds every forwarded chunk for <paramref name="delay"/> before passing it on.</summary>
    public void Delay(TimeSpan delay) => _delay = delay;

    /// <summary>Stops forwarding in both directions; connections stay open.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            if (_unpaused.Task.IsCompleted)
            {
                _unpaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Undoes every fault: new connections are forwarded, delays end, paused links flow again.</summary>
    public void Heal()
    {
        lock (_lock)
        {
            _cutAll = false;
            _cutFor = null;
            _delay = TimeSpan.Zero;
            _unpaused.TrySetResult();
        }
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        var target = TargetPort;
        if (target == 0 || IsCut(null))
        {
            client.Dispose();
            return;
        }
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, target, _stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            client.Dispose();
            server.Dispose();
            return;
        }
        var link = new Link(client, server);
        lock (_lock)
        {
            _links.Add(link);
        }
        try
        {
            var first = await ReadFirstRequestAsync(client);
            if (first is null)
            {
                return;
            }
            link.ClientId = ClientIdOf(first);
            if (IsCut(link.ClientId))
            {
                return;
            }
            await SendAsync(server, first);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            link.Close();
            lock (_lock)
            {
                _links.Remove(link);
            }
        }
    }

    /// <summary>Whether a connection is cut: every one when all are, else one whose client id (null: not read yet) the predicate accepts.</summary>
    private bool IsCut(string? clientId)
    {
        lock (_lock)
        {
            return IsCutLocked(clientId);
        }
    }

    private bool IsCutLocked(string? clientId) => _cutAll || (clientId is not null && _cutFor?.Invoke(clientId) == true);

    /// <summary>The first request frame (size prefix included), or null when the client closed first.</summary>
    private async Task<byte[]?> ReadFirstRequestAsync(Socket client)
    {
        var size = new byte[4];
        if (!await ReadExactlyAsync(client, size))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(size);
        if (length is < 0 or > 100 * 1024 * 1024)
        {
            return size; // not Kafka framing: forwarded as is, with no client id
        }
        var frame = new byte[4 + length];
        size.CopyTo(frame, 0);
        return await ReadExactlyAsync(client, frame.AsMemory(4)) ? frame : null;
    }

    private static string ClientIdOf(byte[] frame)
    {
        // size(4) api key(2) version(2) correlation id(4) client id length(2) client id
        if (frame.Length < 14)
        {
            return "";
        }
        var length = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(12));
        return length <= 0 || frame.Length < 14 + length ? "" : Encoding.UTF8.GetString(frame, 14, length);
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, _stopping.Token);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
            if (n == 0)
            {
                return;
            }
            Task gate;
            TimeSpan delay;
            lock (_lock)
            {
                gate = _unpaused.Task;
                delay = _delay;
            }
            await gate.WaitAsync(_stopping.Token);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _stopping.Token);
            }
            await SendAsync(to, buffer.AsMemory(0, n));
        }
    }

    private async Task SendAsync(Socket to, ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var n = await to.SendAsync(bytes, SocketFlags.None, _stopping.Token);
            bytes = bytes[n..];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        List<Link> links;
        lock (_lock)
        {
            links = [.. _links];
        }
        foreach (var link in links)
        {
            link.Close();
        }
        _stopping.Dispose();
    }

    /// <summary>One forwarded connection: the client's socket and ours to the target.</summary>
    private sealed class Link(Socket client, Socket server)
    {
        public string? ClientId { get; set; }

        public void Close()
        {
            foreach (var socket in new[] { client, server })
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
                socket.Dispose();
            }
        }
    }
}
