using Gregor.Broker.Cluster;
using Gregor.Broker.InterBroker;
using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;
using Microsoft.Extensions.Logging;
using IsrChange = Gregor.Broker.Partitions.IsrChange;

namespace Gregor.Broker.Replication;

/// <summary>
/// Sends the ISR changes of the partitions led here to the controller (Kafka's
/// AlterPartitionManager): AlterPartition v1 (topic names) with this broker's id and epoch, to the
/// controller the metadata cache names. At most one change per partition is on its way; the
/// changes submitted while a request is out go together in the next one. Each partition's answer
/// goes to <see cref="Partition.CompleteIsrChange"/>. A connection error, no known controller, or
/// a request-level error (NOT_CONTROLLER, STALE_BROKER_EPOCH, ...) sends the same changes again
/// after <see cref="RetryBackoff"/>; a change its partition has dropped meanwhile (a LeaderAndIsr
/// restated the partition) is not sent again.
/// </summary>
public sealed class AlterPartitionManager : IIsrChangeSender, IAsyncDisposable
{
    private const short Version = 1;

    private readonly int _brokerId;
    private readonly Func<long> _brokerEpoch;
    private readonly IMetadataCache _metadata;
    private readonly BrokerConnectionOptions _connectionOptions;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, (Partition Partition, IsrChange Change)> _inFlight = [];
    private readonly List<(Partition Partition, IsrChange Change)> _unsent = [];
    private readonly SemaphoreSlim _submitted = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private BrokerConnection? _connection;
    private int _connectionBroker = -1;

    public AlterPartitionManager(int brokerId, Func<long> brokerEpoch, IMetadataCache metadata, ILogger logger, TimeProvider? time = null)
    {
        _brokerId = brokerId;
        _brokerEpoch = brokerEpoch;
        _metadata = metadata;
        _logger = logger;
        Time = time ?? TimeProvider.System;
        _connectionOptions = new BrokerConnectionOptions { ClientId = $"broker-{brokerId}-alter-partition", Time = Time };
    }

    /// <summary>How long to wait before sending again after a failed request (Kafka retries after 50 ms, backing off).</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeProvider Time { get; }

    /// <summary>Starts the sending loop.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <inheritdoc/>
    public bool Submit(Partition partition, IsrChange change)
    {
        lock (_lock)
        {
            if (_inFlight.ContainsKey(change.TopicPartition))
            {
                return false;
            }
            _inFlight[change.TopicPartition] = (partition, change);
            _unsent.Add((partition, change));
        }
        _logger.LogInformation("Proposing ISR {Isr} for {Partition} (leader epoch {LeaderEpoch}, partition epoch {PartitionEpoch}): {Reason}",
            string.Join(",", change.NewIsr), change.TopicPartition, change.LeaderEpoch, change.PartitionEpoch, change.Reason);
        _submitted.Release();
        return true;
    }

    /// <summary>The changes submitted and not answered yet (for tests and logs).</summary>
    public int InFlightCount
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _submitted.WaitAsync(cancellationToken).ConfigureAwait(false);
                List<(Partition Partition, IsrChange Change)> batch;
                lock (_lock)
                {
                    batch = [.. _unsent];
                    _unsent.Clear();
                }
                // Drain the extra releases of changes taken in this batch.
                while (_submitted.CurrentCount > 0 && _submitted.Wait(0))
                {
                }
                batch = DropAbandoned(batch);
                if (batch.Count == 0)
                {
                    continue;
                }
                if (!await SendAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(RetryBackoff, Time, cancellationToken).ConfigureAwait(false);
                    lock (_lock)
                    {
                        _unsent.InsertRange(0, batch);
                    }
                    _submitted.Release();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "AlterPartition sender failed; retrying");
            }
        }
    }

    /// <summary>Changes their partitions no longer hold (restated by the controller meanwhile) are forgotten unsent.</summary>
    private List<(Partition Partition, IsrChange Change)> DropAbandoned(List<(Partition Partition, IsrChange Change)> batch)
    {
        var kept = new List<(Partition Partition, IsrChange Change)>(batch.Count);
        foreach (var entry in batch)
        {
            if (ReferenceEquals(entry.Partition.PendingIsrChange, entry.Change))
            {
                kept.Add(entry);
            }
            else
            {
                Forget(entry.Change);
            }
        }
        return kept;
    }

    private void Forget(IsrChange change)
    {
        lock (_lock)
        {
            if (_inFlight.TryGetValue(change.TopicPartition, out var held) && ReferenceEquals(held.Change, change))
            {
                _inFlight.Remove(change.TopicPartition);
            }
        }
    }

    /// <summary>One AlterPartition request for <paramref name="batch"/>; false when it must be sent again.</summary>
    private async Task<bool> SendAsync(List<(Partition Partition, IsrChange Change)> batch, CancellationToken cancellationToken)
    {
        var request = BuildRequest(batch);
        AlterPartitionResponse response;
        try
        {
            var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (connection is null)
            {
                _logger.LogWarning("AlterPartition: no controller known; {Count} ISR changes wait", batch.Count);
                return false;
            }
            response = await connection.SendAsync<AlterPartitionRequest, AlterPartitionResponse>(request, Version, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BrokerConnectionException or IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            _logger.LogWarning("AlterPartition to controller {Controller} failed: {Error}; retrying", _connectionBroker, e.Message);
            await CloseConnectionAsync().ConfigureAwait(false);
            return false;
        }
        var error = (ErrorCode)response.ErrorCode;
        if (error != ErrorCode.None)
        {
            _logger.LogWarning("AlterPartition answered {Error} by controller {Controller}; retrying", error.KafkaName(), _connectionBroker);
            if (error == ErrorCode.NotController)
            {
                await CloseConnectionAsync().ConfigureAwait(false);
            }
            return false;
        }
        Apply(batch, response);
        return true;
    }

    private AlterPartitionRequest BuildRequest(List<(Partition Partition, IsrChange Change)> batch)
    {
        var request = new AlterPartitionRequest { BrokerId = _brokerId, BrokerEpoch = _brokerEpoch() };
        foreach (var group in batch.GroupBy(e => e.Change.TopicPartition.Topic, StringComparer.Ordinal))
        {
            var topic = new AlterPartitionRequest.TopicData { TopicName = group.Key };
            foreach (var (_, change) in group)
            {
                topic.Partitions.Add(new AlterPartitionRequest.PartitionData
                {
                    PartitionIndex = change.TopicPartition.Partition,
                    LeaderEpoch = change.LeaderEpoch,
                    NewIsr = [.. change.NewIsr],
                    PartitionEpoch = change.PartitionEpoch,
                });
            }
            request.Topics.Add(topic);
        }
        return request;
    }

    /// <summary>Each partition's answer goes to its partition; one the answer leaves out is asked again.</summary>
    private void Apply(List<(Partition Partition, IsrChange Change)> batch, AlterPartitionResponse response)
    {
        var answers = new Dictionary<TopicPartition, AlterPartitionResponse.PartitionData>();
        foreach (var topic in response.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                answers[new TopicPartition(topic.TopicName, p.PartitionIndex)] = p;
            }
        }
        var missing = new List<(Partition Partition, IsrChange Change)>();
        foreach (var entry in batch)
        {
            if (!answers.TryGetValue(entry.Change.TopicPartition, out var answer))
            {
                missing.Add(entry);
                continue;
            }
            Forget(entry.Change);
            var result = new IsrChangeResult((ErrorCode)answer.ErrorCode, answer.LeaderId, answer.LeaderEpoch, answer.Isr, answer.PartitionEpoch);
            var committed = entry.Partition.CompleteIsrChange(entry.Change, result);
            if (committed)
            {
                _logger.LogInformation("ISR of {Partition} is now {Isr} (partition epoch {PartitionEpoch})",
                    entry.Change.TopicPartition, string.Join(",", answer.Isr), answer.PartitionEpoch);
            }
            else if (result.Error != ErrorCode.None)
            {
                _logger.LogWarning("ISR change {Isr} of {Partition} refused by the controller: {Error}",
                    string.Join(",", entry.Change.NewIsr), entry.Change.TopicPartition, result.Error.KafkaName());
            }
        }
        if (missing.Count > 0)
        {
            lock (_lock)
            {
                _unsent.AddRange(missing);
            }
            _submitted.Release();
        }
    }

    private async Task<BrokerConnection?> ConnectAsync(CancellationToken cancellationToken)
    {
        var controllerId = _metadata.ControllerId;
        if (_connection is { IsOpen: true } open && _connectionBroker == controllerId)
        {
            return open;
        }
        await CloseConnectionAsync().ConfigureAwait(false);
        if (controllerId < 0 || _metadata.FindBroker(controllerId) is not { } controller)
        {
            return null;
        }
        _connection = await BrokerConnection.ConnectAsync(controller.Host, controller.Port, _connectionOptions, cancellationToken).ConfigureAwait(false);
        _connectionBroker = controllerId;
        return _connection;
    }

    private async Task CloseConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await CloseConnectionAsync().ConfigureAwait(false);
        _stop.Dispose();
        _submitted.Dispose();
    }
}
