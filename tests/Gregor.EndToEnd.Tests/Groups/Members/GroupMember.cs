using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Gregor.EndToEnd.Tests.Groups.Members;

/// <summary>
/// A Confluent.Kafka consumer polled on its own thread, committing after processing: each record
/// is recorded first, then its next offset is committed every <see cref="CommitEvery"/> records,
/// whenever a poll comes back empty, and for the revoked partitions in the revoke handler (before
/// the member rejoins), so a clean rebalance or close never loses or repeats a record.
/// Assignment changes and revocations are recorded as the callbacks see them.
/// </summary>
public sealed class GroupMember : IAsyncDisposable
{
    private readonly ConsumerConfig _config;
    private readonly string _topic;
    private readonly ConcurrentQueue<ConsumedRecord> _consumed;
    private readonly Dictionary<int, long> _uncommitted = [];
    private readonly Lock _lock = new();
    private readonly List<int[]> _revocations = [];
    private readonly List<string> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int[] _assignment = [];
    private int _sinceCommit;
    private Exception? _failure;

    private GroupMember(string name, ConsumerConfig config, string topic, ConcurrentQueue<ConsumedRecord> consumed)
    {
        Name = name;
        _config = config;
        _topic = topic;
        _consumed = consumed;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    public string Name { get; }

    public int CommitEvery { get; init; } = 500;

    /// <summary>The partitions this member owns now, sorted.</summary>
    public int[] Assignment
    {
        get
        {
            lock (_lock)
            {
                return _assignment;
            }
        }
    }

    /// <summary>Every set of partitions the revoke handler was called with, in order.</summary>
    public IReadOnlyList<int[]> Revocations
    {
        get
        {
            lock (_lock)
            {
                return [.. _revocations];
            }
        }
    }

    /// <summary>The rebalance callbacks seen, in order ("+0,1" assigned, "-0" revoked, "!0" lost), for failure messages.</summary>
    public string Events
    {
        get
        {
            lock (_lock)
            {
                return $"{Name}: {string.Join(' ', _events)}";
            }
        }
    }

    public int CommitFailures { get; private set; }

    /// <summary>True when every processed record's offset has been committed.</summary>
    public bool AllCommitted
    {
        get
        {
            lock (_lock)
            {
                return _uncommitted.Count == 0;
            }
        }
    }

    /// <summary>Starts a member; all members of a test add to the same <paramref name="consumed"/> queue.</summary>
    public static GroupMember Start(string name, ConsumerConfig config, string topic, ConcurrentQueue<ConsumedRecord> consumed, int commitEvery = 500)
    {
        var member = new GroupMember(name, config, topic, consumed) { CommitEvery = commitEvery };
        member._thread.Start();
        return member;
    }

    /// <summary>Closes the consumer cleanly (revoke handler, commit, LeaveGroup) and waits for it.</summary>
    public async Task CloseAsync()
    {
        _stop.Cancel();
        await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(60));
        if (_failure is not null)
        {
            throw new InvalidOperationException($"member {Name} failed", _failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Run()
    {
        try
        {
            using var consumer = new ConsumerBuilder<Ignore, string>(_config)
                .SetPartitionsAssignedHandler((_, partitions) =>
                {
                    lock (_lock)
                    {
                        _assignment = _assignment.Union(partitions.Select(p => p.Partition.Value)).Order().ToArray();
                        _events.Add("+" + string.Join(',', partitions.Select(p => p.Partition.Value)));
                    }
                })
                .SetPartitionsRevokedHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.Partition.Value).ToArray(), commit: true))
                .SetPartitionsLostHandler((c, partitions) => OnRevoked(c, partitions.Select(p => p.Partition.Value).ToArray(), commit: false))
                .Build();
            consumer.Subscribe(_topic);
            while (!_stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null)
                {
                    Commit(consumer, null);
                    continue;
                }
                _consumed.Enqueue(new ConsumedRecord(Name, result.Partition.Value, result.Offset.Value, result.Message.Value));
                lock (_lock)
                {
                    _uncommitted[result.Partition.Value] = result.Offset.Value + 1;
                }
                if (++_sinceCommit >= CommitEvery)
                {
                    Commit(consumer, null);
                }
            }
            consumer.Close();
        }
        catch (Exception e)
        {
            _failure = e;
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void OnRevoked(IConsumer<Ignore, string> consumer, int[] partitions, bool commit)
    {
        if (commit)
        {
            Commit(consumer, partitions);
        }
        lock (_lock)
        {
            foreach (var p in partitions)
            {
                _uncommitted.Remove(p);
            }
            _revocations.Add([.. partitions.Order()]);
            _events.Add((commit ? "-" : "!") + string.Join(',', partitions));
            _assignment = _assignment.Except(partitions).ToArray();
        }
    }

    /// <summary>Commits the processed offsets of <paramref name="only"/> (null: every partition).</summary>
    private void Commit(IConsumer<Ignore, string> consumer, int[]? only)
    {
        List<TopicPartitionOffset> offsets;
        lock (_lock)
        {
            offsets = _uncommitted.Where(kv => only is null || only.Contains(kv.Key))
                .Select(kv => new TopicPartitionOffset(_topic, kv.Key, kv.Value)).ToList();
        }
        if (offsets.Count == 0)
        {
            return;
        }
        try
        {
            consumer.Commit(offsets);
            lock (_lock)
            {
                foreach (var o in offsets)
                {
                    if (_uncommitted.TryGetValue(o.Partition.Value, out var next) && next == o.Offset.Value)
                    {
                        _uncommitted.Remove(o.Partition.Value);
                    }
                }
            }
            _sinceCommit = 0;
        }
        catch (KafkaException e)
        {
            CommitFailures++;
            lock (_lock)
            {
                _events.Add($"commit failed: {e.Error.Code}");
            }
        }
    }
}
