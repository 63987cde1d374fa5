using System.Net;
using System.Net.Sockets;

namespace Gregor.ZooKeeper.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of a server. <see cref="Freeze"/> stops all forwarding: bytes
/// from either side are read and dropped, and connections accepted meanwhile are held silent, so
/// to the client the server just stops answering (and to the server the client goes quiet).
/// <see cref="Unfreeze"/> closes every connection that was frozen and forwards new ones again.
/// </summary>
public sealed class FreezableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<Relay> _relays = [];
    private readonly Task _acceptLoop;
    private bool _frozen;

    public FreezableTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ConnectString => $"127.0.0.1:{Port}";

    public void Freeze()
    {
        lock (_lock)
        {
            _frozen = true;
            foreach (var relay in _relays)
            {
                relay.Frozen = true;
            }
        }
    }

    public void Unfreeze()
    {
        List<Relay> frozen;
        lock (_lock)
        {
            _frozen = false;
            frozen = _relays.Where(r => r.Frozen).ToList();
            _relays.RemoveAll(r => r.Frozen);
        }
        foreach (var relay in frozen)
        {
            relay.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        lock (_lock)
        {
            foreach (var relay in _relays)
            {
                relay.Close();
            }
            _relays.Clear();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            Relay relay;
            lock (_lock)
            {
                relay = new Relay(client) { Frozen = _frozen };
                _relays.Add(relay);
            }
            if (relay.Frozen)
            {
                _ = relay.PumpAsync(client.GetStream(), null);
                continue;
            }
            try
            {
                await relay.Server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                relay.Close(); // the server is down: the client sees its connection closed
                continue;
            }
            _ = relay.PumpAsync(client.GetStream(), relay.Server.GetStream());
            _ = relay.PumpAsync(relay.Server.GetStream(), client.GetStream());
        }
    }

    private sealed class Relay(TcpClient client)
    {
        public TcpClient Server { get; } = new();

        public volatile bool Frozen;

        public async Task PumpAsync(NetworkStream from, NetworkStream? to)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }
                    if (!Frozen && to is not null)
                    {
                        await to.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
            if (!Frozen)
            {
                Close();
            }
        }

        public void Close()
        {
            client.Dispose();
            Server.Dispose();
        }
    }
}
