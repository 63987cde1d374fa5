using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gregor.Broker.Requests;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Network;

/// <summary>
/// Accepts TCP connections and runs one <see cref="ClientConnection"/> loop per socket.
/// Connections past max.connections are closed on accept, with a log line. A failure in one
/// connection never reaches the accept loop or other connections.
/// Invariant: <c>_connections</c> holds exactly the connections whose task has not finished —
/// an entry is added before its task can start and removed by that task as its last step — so
/// max.connections counts every way a connection can end.
/// </summary>
public sealed class KafkaListener : IAsyncDisposable
{
    private readonly ListenerOptions _options;
    private RequestDispatcher? _dispatcher;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly RequestBufferPool _buffers;
    private Socket? _socket;
    private Task? _acceptLoop;
    private long _nextConnectionId;

    public KafkaListener(ListenerOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _logger = loggerFactory.CreateLogger<KafkaListener>();
        _buffers = new RequestBufferPool(options.QueuedMaxRequestBytes);
    }

    /// <summary>The port actually bound (differs from the configured one when that was 0).</summary>
    public int BoundPort => ((IPEndPoint)_socket!.LocalEndPoint!).Port;

    public int ConnectionCount => _connections.Count;

    /// <summary>Binds the port without accepting yet. Throws <see cref="SocketException"/> when it cannot be bound.</summary>
    public void Bind()
    {
        var socket = new Socket(_options.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (_options.Address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }
        // No ReuseAddress: on Linux it sets SO_REUSEPORT too, which lets a second process bind the
        // same port and take a share of its connections. A plain Bind on Unix already sets
        // SO_REUSEADDR, which is all a restart needs to bind over connections in TIME_WAIT.
        try
        {
            socket.Bind(new IPEndPoint(_options.Address, _options.Port));
            socket.Listen(1024);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
    }

    /// <summary>Starts accepting connections and handing their requests to <paramref name="dispatcher"/>.</summary>
    public void Start(RequestDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
        _acceptLoop = AcceptLoopAsync(_shutdown.Token);
    }

    private async Task AcceptLoopAsync(CancellationToken shutdown)
    {
        var backoffMs = 0;
        while (!shutdown.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(shutdown).ConfigureAwait(false);
                backoffMs = 0;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets)
            {
                // EMFILE/ENFILE: the connection stays in the backlog, so accepting again at once
                // would spin. Wait (50 ms doubling to 1 s) until connections or files close; logged once per episode.
                if (backoffMs == 0)
                {
                    _logger.LogWarning("Accept failed: out of file descriptors; accepting more slowly until some are closed");
                }
                backoffMs = Math.Clamp(backoffMs * 2, 50, 1000);
                await Task.Delay(backoffMs, shutdown).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("Accept failed: {Error}", e.SocketErrorCode);
                continue;
            }
            try
            {
                Admit(client, shutdown);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Reset by the peer before it could be set up: it never held a slot.
                _logger.LogDebug("Accepted connection lost before it started: {Error}", e.Message);
                client.Dispose();
            }
        }
    }

    /// <summary>Refuses <paramref name="client"/> past max.connections, else registers it and starts its loop.</summary>
    private void Admit(Socket client, CancellationToken shutdown)
    {
        if (_connections.Count >= _options.MaxConnections)
        {
            _logger.LogWarning("Refusing connection from {Remote}: max.connections={Max} reached", client.RemoteEndPoint, _options.MaxConnections);
            client.Dispose();
            return;
        }
        client.NoDelay = true;
        var id = Interlocked.Increment(ref _nextConnectionId);
        var connection = new ClientConnection(client, $"{client.LocalEndPoint}-{client.RemoteEndPoint}-{id}", _dispatcher!, _buffers, _options, _logger);
        // Registered before it starts: a connection that ends at once still finds its entry to remove.
        var start = new Task<Task>(() => RunConnectionAsync(id, connection, shutdown));
        _connections[id] = start.Unwrap();
        start.Start(TaskScheduler.Default);
    }

    private async Task RunConnectionAsync(long id, ClientConnection connection, CancellationToken shutdown)
    {
        try
        {
            await connection.RunAsync(shutdown).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection {Connection} failed", connection.Id);
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _shutdown.Dispose();
    }
}
