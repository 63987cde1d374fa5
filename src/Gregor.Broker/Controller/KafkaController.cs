using System.Threading.Channels;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Controller;

/// <summary>
/// The cluster's controller, as Kafka's ZooKeeper-mode KafkaController: every broker runs one; the
/// one that wins the election through /controller is active and decides who leads what. It works
/// through one event queue: ZooKeeper watches, broker requests (controlled shutdown) and responses
/// (StopReplica) become events run one at a time, so <see cref="ControllerContext"/> needs no
/// locks. Its ZooKeeper writes are fenced by its term (<see cref="ControllerEpoch"/>); a fenced
/// write means another broker is controller, and this one resigns.
/// </summary>
public sealed partial class KafkaController : IAsyncDisposable
{
    private readonly int _brokerId;
    private readonly KafkaControllerOptions _options;
    private readonly IControllerStore _store;
    private readonly IControllerChannel _channel;
    private readonly ILogger _logger;
    private readonly Channel<(string Name, Func<CancellationToken, Task> Run)> _events =
        Channel.CreateUnbounded<(string, Func<CancellationToken, Task>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ControllerContext _context = new();
    private ControllerEpoch? _term;
    private Task? _loop;

    public KafkaController(int brokerId, KafkaControllerOptions options, IControllerStore store, IControllerChannel channel, ILogger<KafkaController> logger)
    {
        _brokerId = brokerId;
        _options = options;
        _store = store;
        _channel = channel;
        _logger = logger;
    }

    /// <summary>True while this broker is the active controller.</summary>
    public bool IsActive => Volatile.Read(ref _term) is not null;

    /// <summary>The term of the active controller this broker is, or null.</summary>
    public ControllerEpoch? Term => Volatile.Read(ref _term);

    /// <summary>Starts the event loop and takes part in the election.</summary>
    public void Start()
    {
        _loop = Task.Run(RunAsync);
        Enqueue("Startup", ElectAsync);
    }

    /// <summary>
    /// The ZooKeeper session ended (expired): this broker is controller no more; once the owner has
    /// a new session and has registered again, it calls <see cref="Start"/>'s election again
    /// through <see cref="Reelect"/>.
    /// </summary>
    public void OnSessionExpired() => Enqueue("SessionExpired", _ =>
    {
        Resign("the ZooKeeper session expired");
        return Task.CompletedTask;
    });

    /// <summary>Takes part in the election again (after a new ZooKeeper session).</summary>
    public void Reelect() => Enqueue("Reelect", ElectAsync);

    private void Enqueue(string name, Func<CancellationToken, Task> run) => _events.Writer.TryWrite((name, run));

    private async Task RunAsync()
    {
        await foreach (var (name, run) in _events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (_stop.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await run(_stop.Token).ConfigureAwait(false);
            }
            catch (ControllerMovedException e)
            {
                Resign($"another broker is controller ({e.Message})");
                Enqueue("Reelect", ElectAsync);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // An event that failed half-way leaves the context unknown: resign and elect again,
                // which rebuilds it from ZooKeeper (what Kafka does on an unexpected error).
                _logger.LogError(e, "Controller event {Event} failed", name);
                if (Term is { } term)
                {
                    Resign($"event {name} failed");
                    await SafeResignInStoreAsync(term).ConfigureAwait(false);
                }
                Enqueue("Reelect", ElectAsync);
            }
        }
    }

    private async Task ElectAsync(CancellationToken cancellationToken)
    {
        var active = await _store.GetControllerIdAsync(() => Enqueue("ControllerChange", ElectAsync), cancellationToken).ConfigureAwait(false);
        if (active == _brokerId && IsActive)
        {
            return;
        }
        if (active is not null)
        {
            if (IsActive)
            {
                Resign($"broker {active} is controller now");
            }
            return;
        }
        var term = await _store.TryElectAsync(_brokerId, cancellationToken).ConfigureAwait(false);
        if (term is null)
        {
            // Lost the race: the watch set above fires for the winner's node, and the next
            // ControllerChange finds it.
            return;
        }
        Volatile.Write(ref _term, term);
        _logger.LogInformation("Broker {BrokerId} is the controller, epoch {Epoch}", _brokerId, term.Epoch);
        await OnFailoverAsync(term, cancellationToken).ConfigureAwait(false);
        ScheduleAutoLeaderRebalance(term);
    }

    private void Resign(string reason)
    {
        if (Volatile.Read(ref _term) is not { } term)
        {
            return;
        }
        _logger.LogInformation("Broker {BrokerId} resigns as controller (epoch {Epoch}): {Reason}", _brokerId, term.Epoch, reason);
        foreach (var broker in _context.LiveBrokers.Keys)
        {
            _channel.RemoveBroker(broker);
        }
        StopAutoLeaderRebalance();
        _context.Clear();
        _pendingDeletions.Clear();
        Volatile.Write(ref _term, null);
    }

    private async Task SafeResignInStoreAsync(ControllerEpoch term)
    {
        try
        {
            await _store.ResignAsync(term, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning("Could not delete /controller while resigning: {Error}", e.Message);
        }
    }

    private ControllerRequestBatch NewBatch(ControllerEpoch term) => new(_brokerId, term, _context);

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (Term is { } term)
        {
            Resign("the broker is shutting down");
            await SafeResignInStoreAsync(term).ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}

/// <summary>The controller's settings.</summary>
/// <param name="UncleanLeaderElection">The broker's unclean.leader.election.enable.</param>
public sealed record KafkaControllerOptions(bool UncleanLeaderElection)
{
    /// <summary>A topic's unclean.leader.election.enable override (null: none), read when an election needs it.</summary>
    public Func<string, CancellationToken, ValueTask<bool?>>? TopicUncleanLeaderElection { get; init; }

    /// <summary>auto.leader.rebalance.enable: the controller moves leadership back to preferred replicas.</summary>
    public bool AutoLeaderRebalance { get; init; }

    /// <summary>leader.imbalance.check.interval.seconds: how often (the first check one interval after becoming controller).</summary>
    public TimeSpan LeaderImbalanceCheckInterval { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>leader.imbalance.per.broker.percentage: the share of a broker's preferred partitions led elsewhere that triggers elections.</summary>
    public int LeaderImbalancePerBrokerPercentage { get; init; } = 10;

    /// <summary>The clock of the rebalance checks.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
