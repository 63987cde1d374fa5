using Gregor.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.InterBroker;

/// <summary>
/// The controller's channels to the brokers (Kafka's ControllerChannelManager): a queue and a
/// sender per destination broker. Requests to one broker go one at a time, in the order queued
/// (so that, say, UpdateMetadata requests arrive in the order the controller made them), each
/// retried on a new connection after a backoff until the broker answers or is removed. A broker
/// that cannot be reached holds up its own queue only.
/// <para>
/// Every queued request ends in exactly one callback, run on that broker's sender (never under a
/// lock of this class): with the response, or with a <see cref="BrokerConnectionException"/> when
/// its broker is removed — or, run at once on the caller's thread, when the broker is not known.
/// </para>
/// <para>Thread-safe: the set of brokers is guarded by the lock on <see cref="_senders"/>.</para>
/// </summary>
public sealed class ControllerChannelManager : IAsyncDisposable
{
    private readonly Dictionary<int, BrokerRequestSender> _senders = [];
    private readonly ControllerChannelOptions _options;
    private readonly ILogger _logger;

    public ControllerChannelManager(ControllerChannelOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>The brokers that have a channel.</summary>
    public IReadOnlyList<int> BrokerIds
    {
        get
        {
            lock (_senders)
            {
                return [.. _senders.Keys.Order()];
            }
        }
    }

    /// <summary>
    /// Opens a channel to a broker (connecting when its first request is sent). Adding a broker
    /// already there at the same address does nothing; to change its address, remove it first.
    /// </summary>
    public void AddBroker(int brokerId, string host, int port)
    {
        BrokerRequestSender sender;
        lock (_senders)
        {
            if (_senders.TryGetValue(brokerId, out var existing))
            {
                if (existing.Host == host && existing.Port == port)
                {
                    return;
                }
                throw new InvalidOperationException(
                    $"broker {brokerId} already has a channel to {existing.Host}:{existing.Port}; remove it before adding {host}:{port}");
            }
            sender = new BrokerRequestSender(brokerId, host, port, _options, _logger);
            _senders.Add(brokerId, sender);
        }
        sender.Start();
    }

    /// <summary>Closes a broker's channel; its queued requests fail. Returns when their callbacks have run.</summary>
    public Task RemoveBrokerAsync(int brokerId)
    {
        BrokerRequestSender? sender;
        lock (_senders)
        {
            if (!_senders.Remove(brokerId, out sender))
            {
                return Task.CompletedTask;
            }
        }
        return sender.StopAsync();
    }

    /// <summary>
    /// Queues <paramref name="request"/> for a broker; <paramref name="callback"/> gets its response
    /// or failure. Returns false when the broker has no channel (the callback has then run with the failure).
    /// </summary>
    public bool Enqueue<TRequest, TResponse>(int brokerId, TRequest request, short version, Action<ControllerResponse<TResponse>> callback)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : class, IKafkaMessage<TResponse>
    {
        RequestPair.Validate<TRequest, TResponse>(version);
        var queued = new QueuedRequest<TRequest, TResponse>(request, version, callback);
        BrokerRequestSender? sender;
        lock (_senders)
        {
            _senders.TryGetValue(brokerId, out sender);
        }
        if (sender is not null && sender.TryEnqueue(queued))
        {
            return true;
        }
        _logger.LogWarning("Controller {ControllerId} is not sending {Request} to broker {BrokerId}: it has no channel", _options.ControllerId, queued.Description, brokerId);
        queued.Fail(new BrokerConnectionException($"broker {brokerId} has no channel from the controller"));
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        BrokerRequestSender[] senders;
        lock (_senders)
        {
            senders = [.. _senders.Values];
            _senders.Clear();
        }
        await Task.WhenAll(senders.Select(s => s.StopAsync())).ConfigureAwait(false);
    }
}
