using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Replication;

/// <summary>
/// The replica fetchers of this broker: a followed partition goes to the fetcher of (its leader
/// at the leader's endpoint, Kafka's hash of the partition % num.replica.fetchers); a fetcher
/// starts with its first partition and stops when its last one is removed (a leader that
/// returns at another endpoint gets a new fetcher). Changes are serialized by
/// <see cref="_gate"/> (LeaderAndIsr and StopReplica come one at a time from the controller, but
/// shutdown may overlap them); the maps are only touched under it.
/// </summary>
public sealed class ReplicaFetcherManager(ReplicaFetcherOptions options, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(BrokerEndpoint Leader, int FetcherId), ReplicaFetcher> _fetchers = [];
    private readonly Dictionary<TopicPartition, ReplicaFetcher> _assigned = [];
    private readonly ILogger _logger = loggers.CreateLogger<ReplicaFetcher>();
    private bool _closed;

    /// <summary>Kafka's choice of fetcher: abs(31 * topic.hashCode() + partition) % fetchers, with Java's String.hashCode.</summary>
    public static int FetcherIdFor(TopicPartition partition, int numFetchers)
    {
        var hash = 0;
        foreach (var c in partition.Topic)
        {
            hash = unchecked((31 * hash) + c);
        }
        var mixed = unchecked((31 * hash) + partition.Partition);
        return (mixed == int.MinValue ? 0 : Math.Abs(mixed)) % Math.Max(1, numFetchers);
    }

    /// <summary>
    /// Fetches each partition from its leader from now on, starting at its log end with the
    /// leader epoch given; a partition fetched elsewhere before is removed from there first.
    /// </summary>
    public async Task AddPartitionsAsync(IEnumerable<(Partition Partition, int LeaderEpoch, BrokerEndpoint Leader)> partitions)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return;
            }
            var list = partitions.ToList();
            await RemoveLockedAsync([.. list.Select(p => p.Partition.TopicPartition).Where(_assigned.ContainsKey)]).ConfigureAwait(false);
            foreach (var group in list.GroupBy(p => (p.Leader, FetcherIdFor(p.Partition.TopicPartition, options.NumFetchers))))
            {
                if (!_fetchers.TryGetValue(group.Key, out var fetcher))
                {
                    fetcher = new ReplicaFetcher(group.Key.Item2, group.Key.Leader, options, _logger);
                    _fetchers[group.Key] = fetcher;
                    fetcher.Start();
                }
                fetcher.AddPartitions([.. group.Select(p => new PartitionFetchState(p.Partition, p.LeaderEpoch))]);
                foreach (var p in group)
                {
                    _assigned[p.Partition.TopicPartition] = fetcher;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops fetching these partitions; when this completes nothing fetched for them is appended any more.</summary>
    public async Task RemovePartitionsAsync(IReadOnlyCollection<TopicPartition> partitions)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await RemoveLockedAsync(partitions).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RemoveLockedAsync(IReadOnlyCollection<TopicPartition> partitions)
    {
        var byFetcher = partitions.Where(_assigned.ContainsKey).GroupBy(p => _assigned[p]).ToList();
        foreach (var group in byFetcher)
        {
            var fetcher = group.Key;
            await fetcher.RemovePartitionsAsync([.. group]).ConfigureAwait(false);
            foreach (var tp in group)
            {
                _assigned.Remove(tp);
            }
            if (fetcher.PartitionCount == 0)
            {
                _fetchers.Remove((fetcher.Leader, fetcher.FetcherId));
                await fetcher.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops every fetcher (before the logs close).</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _closed = true;
            foreach (var fetcher in _fetchers.Values)
            {
                await fetcher.DisposeAsync().ConfigureAwait(false);
            }
            _fetchers.Clear();
            _assigned.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }
}
