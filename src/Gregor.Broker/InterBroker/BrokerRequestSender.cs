using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.InterBroker;

/// <summary>
/// The controller's queue to one broker and the loop that empties it (Kafka's RequestSendThread):
/// one request at a time, in the order queued, each sent until the broker answers it — a failed
/// attempt closes the connection, waits <see cref="ControllerChannelOptions.RetryBackoff"/> and
/// tries again on a new one — or until the sender is stopped, which fails the request being
/// tried and everything still queued. One failure is logged per outage (the first failed attempt
/// after an answer), plus one line when the broker answers again; the retries between are debug.
/// <para>
/// Ownership: the queue is a channel (any thread writes, the loop alone reads); the connection
/// and the outage counters belong to the loop.
/// </para>
/// </summary>
internal sealed class BrokerRequestSender(int brokerId, string host, int port, ControllerChannelOptions options, ILogger logger)
{
    private readonly Channel<QueuedRequest> _queue = Channel.CreateUnbounded<QueuedRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ControllerChannelOptions _options = options;
    private readonly ILogger _logger = logger;
    private Task _loop = Task.CompletedTask;
    private int _failedAttempts;

    public int BrokerId { get; } = brokerId;

    public string Host { get; } = host;

    public int Port { get; } = port;

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>False once the sender is stopping: the caller fails the request itself.</summary>
    public bool TryEnqueue(QueuedRequest request) => _queue.Writer.TryWrite(request);

    /// <summary>Stops the loop; returns when every request it held has had its failure callback.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        BrokerConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                // Peeked, not taken: a request being retried when the sender stops is still in the
                // queue and fails with the rest.
                if (_queue.Reader.TryPeek(out var request))
                {
                    connection = await SendUntilAnsweredAsync(request, connection).ConfigureAwait(false);
                    _queue.Reader.TryRead(out _);
                    Callback(request, static r => r.Complete());
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            var removed = new BrokerConnectionException($"broker {BrokerId} at {Host}:{Port} was removed from the controller's channels");
            while (_queue.Reader.TryRead(out var request))
            {
                Callback(request, r => r.Fail(removed));
            }
        }
    }

    /// <summary>Returns the connection the request was answered on, to be used for the next one.</summary>
    private async Task<BrokerConnection> SendUntilAnsweredAsync(QueuedRequest request, BrokerConnection? connection)
    {
        while (true)
        {
            try
            {
                if (connection is null)
                {
                    connection = await BrokerConnection.ConnectAsync(Host, Port, _options.Connection, _stop.Token).ConfigureAwait(false);
                    _logger.LogDebug("Controller {ControllerId} connected to broker {BrokerId} at {Host}:{Port}", _options.ControllerId, BrokerId, Host, Port);
                }
                await request.SendAsync(connection, _stop.Token).ConfigureAwait(false);
                if (_failedAttempts > 0)
                {
                    _logger.LogInformation("Controller {ControllerId} reached broker {BrokerId} at {Host}:{Port} again after {Attempts} failed attempts",
                        _options.ControllerId, BrokerId, Host, Port, _failedAttempts);
                    _failedAttempts = 0;
                }
                return connection;
            }
            catch (BrokerConnectionException e)
            {
                if (_failedAttempts++ == 0)
                {
                    _logger.LogWarning("Controller {ControllerId} failed to send {Request} to broker {BrokerId}: {Reason}; retrying every {BackoffMs} ms on a new connection",
                        _options.ControllerId, request.Description, BrokerId, e.Message, _options.RetryBackoff.TotalMilliseconds);
                }
                else
                {
                    _logger.LogDebug("Controller {ControllerId} attempt {Attempt} to send {Request} to broker {BrokerId} failed: {Reason}",
                        _options.ControllerId, _failedAttempts, request.Description, BrokerId, e.Message);
                }
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
                await Task.Delay(_options.RetryBackoff, _options.Time, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs a callback; one that throws is logged and does not stop the sender.</summary>
    private void Callback(QueuedRequest request, Action<QueuedRequest> callback)
    {
        try
        {
            callback(request);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The callback of {Request} to broker {BrokerId} threw", request.Description, BrokerId);
        }
    }
}
