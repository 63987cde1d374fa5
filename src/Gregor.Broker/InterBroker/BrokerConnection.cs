using System.Buffers.Binary;
using System.Net.Sockets;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.InterBroker;

/// <summary>
/// One TCP connection to another broker, speaking the Kafka protocol as a client does: request
/// header v1 or v2 by the API's flexible versions, response header v0 or v1, correlation ids
/// counting up from 0. Several requests may be in flight; Kafka answers them in order on one
/// connection, so each response is matched to the oldest request waiting and must carry its
/// correlation id.
/// <para>
/// Any failure — connect refused or timed out, a close or reset, a request timeout, a response
/// frame larger than <see cref="BrokerConnectionOptions.MaxResponseBytes"/>, a wrong correlation
/// id, a malformed response — closes the connection and fails every request in flight with a
/// <see cref="BrokerConnectionException"/> saying what happened; later sends fail at once. The
/// owner makes a new connection to retry. Disposal fails what is in flight the same way.
/// </para>
/// <para>
/// Ownership: writers take turns under <see cref="_writeLock"/> (a frame is written whole, in the
/// order its correlation id was given); the in-flight queue and the failure are guarded by the
/// lock on <see cref="_inFlight"/>; one read loop owns the reading side of the socket.
/// </para>
/// </summary>
public sealed class BrokerConnection : IAsyncDisposable
{
    private readonly NetworkStream _stream;
    private readonly BrokerConnectionOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Queue<InFlightRequest> _inFlight = new();
    private readonly CancellationTokenSource _closed = new();
    private BrokerConnectionException? _failure;
    private int _nextCorrelationId;
    private Task _readLoop = Task.CompletedTask;

    private BrokerConnection(Socket socket, string destination, BrokerConnectionOptions options)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
        Destination = destination;
        _options = options;
    }

    /// <summary>"host:port" of the other broker, as given.</summary>
    public string Destination { get; }

    /// <summary>False once the connection has failed or been disposed.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_inFlight)
            {
                return _failure is null;
            }
        }
    }

    /// <summary>Connects within <see cref="BrokerConnectionOptions.ConnectTimeout"/>; throws <see cref="BrokerConnectionException"/> when it cannot.</summary>
    public static async Task<BrokerConnection> ConnectAsync(string host, int port, BrokerConnectionOptions options, CancellationToken cancellationToken = default)
    {
        var destination = $"{host}:{port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, options.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await socket.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new BrokerConnectionException($"could not connect to {destination} within {options.ConnectTimeout.TotalMilliseconds} ms");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new BrokerConnectionException($"could not connect to {destination}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var connection = new BrokerConnection(socket, destination, options);
        connection._readLoop = connection.ReadLoopAsync();
        return connection;
    }

    /// <summary>
    /// Sends <paramref name="request"/> at <paramref name="version"/> and waits for its response.
    /// Cancelling gives up waiting (the request may already be on the wire; its response is
    /// dropped when it comes) and leaves the connection open.
    /// </summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(TRequest request, short version, CancellationToken cancellationToken = default)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        RequestPair.Validate<TRequest, TResponse>(version);
        var apiName = ApiMessages.Find(TRequest.ApiKey)?.Name ?? typeof(TRequest).Name;
        var pending = new InFlightRequest<TResponse>(apiName, version);
        using var frame = new KafkaWriter();
        ClientFrames.WriteRequest(frame, request, version, correlationId: 0, _options.ClientId);

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_inFlight)
            {
                if (_failure is not null)
                {
                    throw new BrokerConnectionException($"connection to {Destination} is closed: {_failure.Message}", _failure);
                }
                pending.CorrelationId = _nextCorrelationId++;
                _inFlight.Enqueue(pending);
            }
            frame.PatchInt32(ClientFrames.CorrelationIdPosition, pending.CorrelationId);
            pending.StartTimeout(_options.Time, _options.RequestTimeout, OnRequestTimeout);
            foreach (var segment in frame.Segments)
            {
                await _stream.WriteAsync(segment, _closed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Fail(new BrokerConnectionException($"sending {apiName} v{version} to {Destination} failed: {e.Message}", e));
        }
        finally
        {
            _writeLock.Release();
        }

        using var registration = cancellationToken.Register(static (state, token) => ((InFlightRequest<TResponse>)state!).Cancel(token), pending);
        return await pending.Response.ConfigureAwait(false);
    }

    private void OnRequestTimeout(InFlightRequest request) =>
        Fail(new BrokerConnectionException(
            $"no response from {Destination} to {request.ApiName} v{request.Version} (correlation id {request.CorrelationId}) within {_options.RequestTimeout.TotalMilliseconds} ms"));

    private async Task ReadLoopAsync()
    {
        var prefix = new byte[4];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(prefix, _closed.Token).ConfigureAwait(false);
                var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
                if (length < 4 || length > _options.MaxResponseBytes)
                {
                    Fail(new BrokerConnectionException(
                        $"response frame of {length} bytes from {Destination} is outside 4..{_options.MaxResponseBytes}"));
                    return;
                }
                var frame = new byte[length];
                await _stream.ReadExactlyAsync(frame, _closed.Token).ConfigureAwait(false);
                InFlightRequest? next;
                lock (_inFlight)
                {
                    _inFlight.TryDequeue(out next);
                }
                var failure = next is null
                    ? new BrokerConnectionException($"{Destination} sent a response to no request")
                    : next.Complete(frame, Destination);
                if (failure is not null)
                {
                    // The connection is failed first, so a caller that sees its request fail finds
                    // the connection closed; the request was taken off the queue already, so Fail
                    // does not see it.
                    Fail(failure);
                    next?.Fail(failure);
                    return;
                }
            }
        }
        catch (EndOfStreamException)
        {
            Fail(new BrokerConnectionException($"{Destination} closed the connection"));
        }
        catch (Exception e)
        {
            // Whatever ends the loop fails the connection: a request must never wait for a reader that is gone.
            Fail(new BrokerConnectionException($"reading from {Destination} failed: {e.Message}", e));
        }
    }

    /// <summary>Closes the connection with <paramref name="failure"/> (the first failure wins) and fails what is in flight.</summary>
    private void Fail(BrokerConnectionException failure)
    {
        InFlightRequest[] pending;
        lock (_inFlight)
        {
            if (_failure is not null)
            {
                return;
            }
            _failure = failure;
            pending = [.. _inFlight];
            _inFlight.Clear();
        }
        _closed.Cancel();
        _stream.Dispose();
        foreach (var request in pending)
        {
            request.Fail(failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new BrokerConnectionException($"connection to {Destination} was closed by its owner"));
        await _readLoop.ConfigureAwait(false);
    }
}
