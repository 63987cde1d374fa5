using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Gregor.Broker.Groups.Store;

namespace Gregor.Broker.Tests.Groups;

/// <summary>
/// An <see cref="InMemoryGroupStore"/> whose reads and appends of chosen partitions wait until the
/// test lets them go, so a test decides when a load ends or a write lands instead of relying on
/// timing. <see cref="OnAppend"/> sees every append as it starts (before it is held).
/// </summary>
internal sealed class GatedGroupStore : IGroupStore
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _reads = new();
    private readonly ConcurrentDictionary<int, HeldAppend> _appends = new();

    public InMemoryGroupStore Inner { get; } = new();

    public Action<int>? OnAppend { get; set; }

    /// <summary>Reads of the partition wait (cancellably) until the returned source is completed.</summary>
    public TaskCompletionSource HoldReads(int partition) =>
        _reads[partition] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next append to the partition waits until released; <see cref="HeldAppend.Entered"/>
    /// completes when it has started.</summary>
    public HeldAppend HoldNextAppend(int partition) => _appends[partition] = new HeldAppend();

    public async ValueTask AppendAsync(int partition, IReadOnlyList<GroupStoreRecord> records, CancellationToken cancellationToken)
    {
        OnAppend?.Invoke(partition);
        if (_appends.TryRemove(partition, out var held))
        {
            held.Entered.TrySetResult();
            await held.Release.Task.WaitAsync(cancellationToken);
        }
        await Inner.AppendAsync(partition, records, cancellationToken);
    }

    public async IAsyncEnumerable<GroupStoreRecord> ReadAsync(int partition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_reads.TryGetValue(partition, out var gate))
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        await foreach (var record in Inner.ReadAsync(partition, cancellationToken))
        {
            yield return record;
        }
    }

    public sealed class HeldAppend
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
