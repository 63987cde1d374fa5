using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The broker's ZooKeeper connection across sessions. A session that expires (ZooKeeper gave up on
/// this broker: its ephemeral nodes and watches are gone) is replaced by a new one, retried until it
/// is up; <see cref="SessionExpired"/> is raised first and <see cref="SessionRenewed"/> once the
/// new session exists, so the owner registers again and re-arms its watches (Kafka's
/// ZooKeeperClient reinitialize). <see cref="Client"/> is always the current session's client.
/// </summary>
public sealed class ZooKeeperSession : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private ZooKeeperClient _client;
    private ZooKeeperClusterStore _store;
    private Task _renewal = Task.CompletedTask;

    private ZooKeeperSession(ZooKeeperClientOptions options, ZooKeeperClient client, ILogger logger)
    {
        _options = options;
        _client = client;
        _store = new ZooKeeperClusterStore(client, logger, TimeProvider.System);
        _logger = logger;
        Watch(client);
    }

    public ZooKeeperClient Client => Volatile.Read(ref _client);

    /// <summary>Kafka's znodes through the current session.</summary>
    public ZooKeeperClusterStore Store => Volatile.Read(ref _store);

    /// <summary>Raised on the client's event thread when the session expired.</summary>
    public event Action? SessionExpired;

    /// <summary>Awaited after a new session replaced an expired one.</summary>
    public event Func<CancellationToken, Task>? SessionRenewed;

    /// <summary>
    /// Connects, retrying until <see cref="ZooKeeperClientOptions.ConnectionTimeout"/>; throws
    /// <see cref="ZooKeeperConnectException"/> naming the hosts when none answered.
    /// </summary>
    public static async Task<ZooKeeperSession> ConnectAsync(ZooKeeperClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        logger.LogInformation("Connecting to ZooKeeper at {Connect}", options.ConnectString);
        var client = await ZooKeeperClient.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Connected to ZooKeeper: session 0x{Session:x}, timeout {Timeout} ms", client.SessionId, (long)client.NegotiatedSessionTimeout.TotalMilliseconds);
        return new ZooKeeperSession(options, client, logger);
    }

    private void Watch(ZooKeeperClient client) => client.StateChanged += state =>
    {
        if (state == ZooKeeperState.Expired && ReferenceEquals(client, Volatile.Read(ref _client)) && !_stop.IsCancellationRequested)
        {
            _logger.LogWarning("ZooKeeper session 0x{Session:x} expired; starting a new one", client.SessionId);
            SessionExpired?.Invoke();
            _renewal = Task.Run(() => RenewAsync(client));
        }
        else if (state == ZooKeeperState.Disconnected)
        {
            _logger.LogWarning("Disconnected from ZooKeeper; reconnecting within session 0x{Session:x}", client.SessionId);
        }
        else if (state == ZooKeeperState.Connected)
        {
            _logger.LogInformation("Connected to ZooKeeper, session 0x{Session:x}", client.SessionId);
        }
    };

    private async Task RenewAsync(ZooKeeperClient expired)
    {
        await expired.DisposeAsync().ConfigureAwait(false);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await ZooKeeperClient.ConnectAsync(_options, _stop.Token).ConfigureAwait(false);
                Watch(client);
                Volatile.Write(ref _store, new ZooKeeperClusterStore(client, _logger, TimeProvider.System));
                Volatile.Write(ref _client, client);
                _logger.LogInformation("New ZooKeeper session 0x{Session:x}", client.SessionId);
                if (SessionRenewed is { } renewed)
                {
                    foreach (var handler in renewed.GetInvocationList().Cast<Func<CancellationToken, Task>>())
                    {
                        await handler(_stop.Token).ConfigureAwait(false);
                    }
                }
                return;
            }
            catch (ZooKeeperConnectException e)
            {
                _logger.LogWarning("Could not start a new ZooKeeper session: {Error}; retrying", e.Message);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Re-registering after a new ZooKeeper session failed; retrying");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Volatile.Read(ref _client).DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
