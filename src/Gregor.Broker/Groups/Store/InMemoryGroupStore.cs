using System.Runtime.CompilerServices;

namespace Gregor.Broker.Groups.Store;

/// <summary>
/// Keeps the __consumer_offsets records in memory, per partition, in append order: state lasts
/// for the life of the process only. Thread-safe: one lock guards all partitions' lists; reads
/// take a snapshot. Useful for tests (a new coordinator on the same store replays its records).
/// </summary>
public sealed class InMemoryGroupStore : IGroupStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<GroupStoreRecord>> _partitions = [];

    public ValueTask AppendAsync(int partition, IReadOnlyList<GroupStoreRecord> records, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var list))
            {
                _partitions[partition] = list = [];
            }
            list.AddRange(records);
        }
        return ValueTask.CompletedTask;
    }

    public async IAsyncEnumerable<GroupStoreRecord> ReadAsync(int partition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        GroupStoreRecord[] snapshot;
        lock (_lock)
        {
            snapshot = _partitions.TryGetValue(partition, out var list) ? [.. list] : [];
        }
        for (var offset = 0; offset < snapshot.Length; offset++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return snapshot[offset] with { Offset = offset };
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The records appended to a partition so far, in order (for tests and tools).</summary>
    public IReadOnlyList<GroupStoreRecord> RecordsOf(int partition)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var list) ? [.. list] : [];
        }
    }
}
