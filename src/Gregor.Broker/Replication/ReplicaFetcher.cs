using Gregor.Broker.Cluster;
using Gregor.Broker.InterBroker;
using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Replication;

/// <summary>
/// One fetch loop from one leader broker for the partitions assigned to it: Fetch v12 with this
/// broker's replica id, each partition at its log end with the leader epoch it was told and its
/// last fetched epoch; the answer per partition as <see cref="FollowerFetchRules"/> decides it
/// (append as replication, truncate, or rest replica.fetch.backoff.ms). A connection failure
/// closes the connection and the loop reconnects after the backoff; it never spins.
/// <para>
/// Ownership: the partition map is guarded by <see cref="_lock"/>; the loop alone owns the
/// connection and the partitions' delays. <see cref="_applying"/> is held while an answer is
/// applied, and <see cref="RemovePartitionsAsync"/> takes it too, so once a partition is removed
/// nothing fetched for it is appended any more (it may become leader next).
/// </para>
/// </summary>
public sealed class ReplicaFetcher : IAsyncDisposable
{
    private const short FetchVersion = 12;
    private static readonly TimeSpan ErrorLogInterval = TimeSpan.FromSeconds(30);
    private readonly ReplicaFetcherOptions _options;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, PartitionFetchState> _partitions = [];
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BrokerConnection? _connection;
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _lastErrorLog = DateTimeOffset.MinValue;
    private int _suppressedErrors;

    public ReplicaFetcher(int fetcherId, BrokerEndpoint leader, ReplicaFetcherOptions options, ILogger logger)
    {
        FetcherId = fetcherId;
        Leader = leader;
        _options = options;
        _logger = logger;
        Name = $"broker-{options.BrokerId}-fetcher-{fetcherId}";
    }

    /// <summary>The client id of its requests: broker-&lt;id&gt;-fetcher-&lt;n&gt;.</summary>
    public string Name { get; }

    public int FetcherId { get; }

    /// <summary>The leader broker fetched from, at the endpoint it had when this fetcher started.</summary>
    public BrokerEndpoint Leader { get; }

    public int PartitionCount
    {
        get
        {
            lock (_lock)
            {
                return _partitions.Count;
            }
        }
    }

    public void Start()
    {
        _logger.LogInformation("Replica fetcher {Fetcher} started following broker {Leader} at {Host}:{Port}", Name, Leader.NodeId, Leader.Host, Leader.Port);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Starts (or restarts, with a new leader epoch) fetching these partitions from their log end.</summary>
    public void AddPartitions(IReadOnlyCollection<PartitionFetchState> states)
    {
        lock (_lock)
        {
            foreach (var state in states)
            {
                _partitions[state.Partition.TopicPartition] = state;
            }
            _changed.TrySetResult();
        }
        _logger.LogInformation("{Fetcher} fetching {Count} partitions from broker {Leader}: {Partitions}",
            Name, states.Count, Leader.NodeId, Describe(states.Select(s => $"{s.Partition.TopicPartition}@{s.Partition.LogEndOffset}")));
    }

    /// <summary>Stops fetching these partitions; when this completes no answer is applied to them any more.</summary>
    public async Task RemovePartitionsAsync(IReadOnlyCollection<TopicPartition> partitions)
    {
        await _applying.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                foreach (var tp in partitions)
                {
                    _partitions.Remove(tp);
                }
            }
        }
        finally
        {
            _applying.Release();
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await FetchOnceAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (BrokerConnectionException e)
            {
                LogError("Fetch from broker {0} failed: {1}", e.Message);
                await CloseConnectionAsync().ConfigureAwait(false);
                await DelayAsync(_options.Backoff, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e)
            {
                // A fetcher that stops on an unexpected failure would leave its partitions behind for good.
                _logger.LogError(e, "{Fetcher}: fetch from broker {Leader} failed unexpectedly", Name, Leader.NodeId);
                await CloseConnectionAsync().ConfigureAwait(false);
                await DelayAsync(_options.Backoff, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task FetchOnceAsync(CancellationToken stop)
    {
        var (ready, wakeAt, changed) = ReadyPartitions();
        if (ready.Count == 0)
        {
            var wait = wakeAt is { } at ? at - _options.Time.GetUtcNow() : Timeout.InfiniteTimeSpan;
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
            await Task.WhenAny(changed, Task.Delay(wait < TimeSpan.Zero && wakeAt is not null ? TimeSpan.Zero : wait, _options.Time, idle.Token)).ConfigureAwait(false);
            await idle.CancelAsync().ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
            return;
        }
        var connection = _connection ??= await BrokerConnection.ConnectAsync(Leader.Host, Leader.Port, new BrokerConnectionOptions
        {
            ClientId = Name,
            ConnectTimeout = _options.SocketTimeout,
            RequestTimeout = _options.SocketTimeout,
            MaxResponseBytes = Math.Max(_options.ResponseMaxBytes, _options.PartitionMaxBytes) + 1024 * 1024,
            Time = _options.Time,
        }, stop).ConfigureAwait(false);
        var response = await connection.SendAsync<FetchRequest, FetchResponse>(BuildRequest(ready), FetchVersion, stop).ConfigureAwait(false);
        await ApplyAsync(ready, response).ConfigureAwait(false);
    }

    private (List<PartitionFetchState> Ready, DateTimeOffset? WakeAt, Task Changed) ReadyPartitions()
    {
        var now = _options.Time.GetUtcNow();
        lock (_lock)
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            var ready = new List<PartitionFetchState>();
            DateTimeOffset? wakeAt = null;
            foreach (var state in _partitions.Values)
            {
                if (state.DelayedUntil <= now)
                {
                    ready.Add(state);
                }
                else if (wakeAt is null || state.DelayedUntil < wakeAt)
                {
                    wakeAt = state.DelayedUntil;
                }
            }
            return (ready, wakeAt, _changed.Task);
        }
    }

    private FetchRequest BuildRequest(List<PartitionFetchState> ready)
    {
        var request = new FetchRequest
        {
            ReplicaId = _options.BrokerId,
            MaxWaitMs = _options.MaxWaitMs,
            MinBytes = _options.MinBytes,
            MaxBytes = _options.ResponseMaxBytes,
            IsolationLevel = 0,
            SessionId = 0,
            SessionEpoch = -1,
        };
        foreach (var topic in ready.GroupBy(s => s.Partition.TopicPartition.Topic, StringComparer.Ordinal))
        {
            request.Topics.Add(new FetchRequest.FetchTopic
            {
                Topic = topic.Key,
                Partitions = topic.Select(s => new FetchRequest.FetchPartition
                {
                    Partition = s.Partition.TopicPartition.Partition,
                    CurrentLeaderEpoch = s.CurrentLeaderEpoch,
                    FetchOffset = s.Partition.LogEndOffset,
                    LastFetchedEpoch = s.Partition.LatestEpoch,
                    LogStartOffset = s.Partition.LogStartOffset,
                    PartitionMaxBytes = _options.PartitionMaxBytes,
                }).ToList(),
            });
        }
        return request;
    }

    private async Task ApplyAsync(List<PartitionFetchState> fetched, FetchResponse response)
    {
        var now = _options.Time.GetUtcNow();
        if (response.ErrorCode != 0)
        {
            LogError("Fetch from broker {0} answered {1}", ((ErrorCode)response.ErrorCode).KafkaName());
            foreach (var state in fetched)
            {
                state.DelayedUntil = now + _options.Backoff;
            }
            return;
        }
        var answers = new Dictionary<TopicPartition, FetchResponse.PartitionData>();
        foreach (var topic in response.Responses)
        {
            foreach (var data in topic.Partitions)
            {
                answers[new TopicPartition(topic.Topic, data.PartitionIndex)] = data;
            }
        }
        var errors = new Dictionary<ErrorCode, (int Count, TopicPartition Example)>();
        await _applying.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var state in fetched)
            {
                var tp = state.Partition.TopicPartition;
                bool current;
                lock (_lock)
                {
                    current = _partitions.TryGetValue(tp, out var held) && ReferenceEquals(held, state);
                }
                if (!current || !answers.TryGetValue(tp, out var data))
                {
                    continue;
                }
                var error = await ApplyPartitionAsync(state, data).ConfigureAwait(false);
                if (error != ErrorCode.None)
                {
                    state.DelayedUntil = now + _options.Backoff;
                    errors[error] = (errors.GetValueOrDefault(error).Count + 1, tp);
                }
            }
        }
        finally
        {
            _applying.Release();
        }
        foreach (var (error, (count, example)) in errors)
        {
            LogError("Fetch from broker {0}: {1}", $"{count} partition(s) answered {error.KafkaName()} (e.g. {example})");
        }
    }

    /// <summary>Applies one partition's answer; returns the error to back off on (None: fetch again at once).</summary>
    private async ValueTask<ErrorCode> ApplyPartitionAsync(PartitionFetchState state, FetchResponse.PartitionData data)
    {
        var partition = state.Partition;
        var logEnd = partition.LogEndOffset;
        var step = FollowerFetchRules.Decide((ErrorCode)data.ErrorCode, logEnd, partition.LogStartOffset, data.HighWatermark, data.LogStartOffset,
            data.DivergingEpoch.Epoch, data.DivergingEpoch.EndOffset, partition.EndOffsetForEpoch);
        try
        {
            switch (step.Action)
            {
                case FollowerFetchAction.Backoff:
                    return (ErrorCode)data.ErrorCode;
                case FollowerFetchAction.Truncate:
                    _logger.LogInformation("{Partition}: truncating from log end {LogEnd} to {Offset} to match leader {Leader} ({Reason})",
                        partition.TopicPartition, logEnd, step.Offset, Leader.NodeId,
                        data.ErrorCode == 0 ? $"diverging epoch {data.DivergingEpoch.Epoch} ends at {data.DivergingEpoch.EndOffset} there" : "fetch offset above the leader's log end");
                    partition.TruncateTo(step.Offset);
                    return ErrorCode.None;
                case FollowerFetchAction.TruncateFully:
                    _logger.LogInformation("{Partition}: log end {LogEnd} is below leader {Leader}'s log start {Offset}; restarting the log there",
                        partition.TopicPartition, logEnd, Leader.NodeId, step.Offset);
                    partition.TruncateFullyAndStartAt(step.Offset);
                    return ErrorCode.None;
            }
            var (batches, alignTo) = FollowerFetchRules.Appendable(data.Records ?? ReadOnlyMemory<byte>.Empty, logEnd);
            if (alignTo >= 0)
            {
                _logger.LogInformation("{Partition}: log end {LogEnd} falls inside leader {Leader}'s batch at {Offset}; truncating to it",
                    partition.TopicPartition, logEnd, Leader.NodeId, alignTo);
                partition.TruncateTo(alignTo);
                return ErrorCode.None;
            }
            if (!batches.IsEmpty)
            {
                var result = await partition.AppendAsync(batches, AppendOrigin.Replication).ConfigureAwait(false);
                if (result.Error != ErrorCode.None)
                {
                    LogError("Appending records fetched from broker {0} failed: {1}", $"{partition.TopicPartition}: {result.Error.KafkaName()} {result.ErrorMessage}");
                    return result.Error;
                }
            }
            partition.UpdateFollowerHighWatermark(data.HighWatermark);
            partition.UpdateFollowerLogStartOffset(data.LogStartOffset);
            return ErrorCode.None;
        }
        catch (Exception e) when (e is KafkaStorageException or IOException or ObjectDisposedException or OffsetOutOfRangeException)
        {
            LogError("Replicating from broker {0} failed: {1}", $"{partition.TopicPartition}: {e.Message}");
            return ErrorCode.KafkaStorageError;
        }
    }

    /// <summary>Errors are logged at most once per <see cref="ErrorLogInterval"/>, with the number left out since.</summary>
    private void LogError(string format, string detail)
    {
        var now = _options.Time.GetUtcNow();
        if (now - _lastErrorLog < ErrorLogInterval)
        {
            _suppressedErrors++;
            return;
        }
        var suppressed = _suppressedErrors;
        _suppressedErrors = 0;
        _lastErrorLog = now;
        _logger.LogWarning("{Fetcher}: {Message}{Suppressed}", Name, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Leader.NodeId, detail),
            suppressed > 0 ? $" ({suppressed} similar errors in the last {ErrorLogInterval.TotalSeconds} s not logged)" : "");
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stop) => await Task.Delay(delay, _options.Time, stop).ConfigureAwait(false);

    private async Task CloseConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Describe(IEnumerable<string> items)
    {
        var list = items.Take(11).ToList();
        return list.Count > 10 ? string.Join(", ", list.Take(10)) + ", ..." : string.Join(", ", list);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await CloseConnectionAsync().ConfigureAwait(false);
        _logger.LogInformation("Replica fetcher {Fetcher} stopped following broker {Leader}", Name, Leader.NodeId);
        _stop.Dispose();
    }
}
