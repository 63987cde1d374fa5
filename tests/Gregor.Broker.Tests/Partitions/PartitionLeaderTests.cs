using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Gregor.Broker.Tests.Partitions;

/// <summary>
/// The leader side of replication over a real log in a temporary log dir, on a fake clock: the
/// high watermark over the ISR, ISR expansion and shrink proposals, acks=all waits, and a
/// retried idempotent batch answered as a duplicate by a new leader.
/// </summary>
public sealed class PartitionLeaderTests : IDisposable
{
    private static readonly TopicPartition Tp = new("leader", 0);
    private static readonly LogConfig Config = LogConfig.Default with { SegmentBytes = 64 * 1024 };
    private readonly string _root = Directory.CreateTempSubdirectory("gregor-leader-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly LogManager _logs;
    private readonly ReplicaManager _replicas;
    private readonly RecordingSender _sender = new();

    public PartitionLeaderTests()
    {
        _logs = new LogManager(new LogManagerOptions { LogDirs = [_root], ClusterId = "test-cluster", StartBackgroundTasks = false }, time: _time);
        _logs.Startup();
        _replicas = new ReplicaManager(_logs, localBrokerId: 1);
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private Partition Lead(IReadOnlyList<int> isr, LogConfig? config = null) =>
        _replicas.BecomeLeader(Tp, Uuid.NewRandom(), config ?? Config, leaderEpoch: 1, [1, 2, 3], isr)!;

    private static async Task AppendAsync(Partition partition, int batches)
    {
        for (var i = 0; i < batches; i++)
        {
            Assert.Equal(ErrorCode.None, (await partition.AppendAsync(Batch(), AppendOrigin.Client)).Error);
        }
    }

    [Fact]
    public async Task The_high_watermark_is_the_smallest_log_end_over_the_isr()
    {
        var partition = Lead([1, 2, 3]);
        await AppendAsync(partition, 5);
        Assert.Equal(0, partition.HighWatermark);

        Assert.True(partition.UpdateFollowerFetchState(2, 5, 0, Now));
        Assert.Equal(0, partition.HighWatermark);
        Assert.True(partition.UpdateFollowerFetchState(3, 3, 0, Now));
        Assert.Equal(3, partition.HighWatermark);
        Assert.True(partition.UpdateFollowerFetchState(3, 5, 0, Now));
        Assert.Equal(5, partition.HighWatermark);
        Assert.False(partition.UpdateFollowerFetchState(7, 5, 0, Now));
    }

    [Fact]
    public async Task The_high_watermark_holds_while_the_isr_is_smaller_than_min_insync_replicas()
    {
        var partition = Lead([1], Config with { MinInSyncReplicas = 2 });
        await AppendAsync(partition, 2);
        Assert.Equal(0, partition.HighWatermark);

        // Replication factor 1 is never held: min.insync.replicas counts up to the replication factor.
        var single = _replicas.BecomeLeader(new TopicPartition("single", 0), Uuid.NewRandom(), Config with { MinInSyncReplicas = 2 }, 0, [1], [1])!;
        Assert.Equal(ErrorCode.None, (await single.AppendAsync(Batch(), AppendOrigin.Client)).Error);
        Assert.Equal(1, single.HighWatermark);
    }

    [Fact]
    public async Task A_follower_that_catches_up_is_proposed_for_the_isr_and_joins_when_the_controller_answers()
    {
        var partition = Lead([1, 2]);
        await AppendAsync(partition, 3);
        partition.UpdateFollowerFetchState(2, 3, 0, Now, _sender);
        Assert.Equal(3, partition.HighWatermark);
        Assert.Empty(_sender.Changes);

        partition.UpdateFollowerFetchState(3, 2, 0, Now, _sender);
        Assert.Empty(_sender.Changes);
        partition.UpdateFollowerFetchState(3, 3, 0, Now, _sender);
        var change = Assert.Single(_sender.Changes);
        Assert.Equal([1, 2, 3], change.NewIsr);
        Assert.Equal((1, 0), (change.LeaderEpoch, change.PartitionEpoch));

        Assert.True(partition.CompleteIsrChange(change, new IsrChangeResult(ErrorCode.None, 1, 1, [1, 2, 3], 1)));
        Assert.Equal([1, 2, 3], partition.Isr);
        Assert.Equal(1, partition.PartitionEpoch);
        Assert.Null(partition.PendingIsrChange);
    }

    [Fact]
    public async Task A_follower_behind_for_the_lag_time_is_proposed_out_and_holds_the_high_watermark_until_the_shrink_commits()
    {
        var partition = Lead([1, 2, 3]);
        partition.ReplicaLagTimeMaxMs = 10_000;
        await AppendAsync(partition, 4);
        partition.UpdateFollowerFetchState(2, 4, 0, Now, _sender);
        partition.UpdateFollowerFetchState(3, 1, 0, Now, _sender);
        Assert.Equal(1, partition.HighWatermark);

        _time.Advance(TimeSpan.FromMilliseconds(9_000));
        partition.UpdateFollowerFetchState(2, 4, 0, Now, _sender);
        Assert.Null(partition.MaybeShrinkIsr(Now, _sender));

        _time.Advance(TimeSpan.FromMilliseconds(2_000));
        var change = partition.MaybeShrinkIsr(Now, _sender);
        Assert.NotNull(change);
        Assert.Equal([1, 2], change.NewIsr);
        // One change at a time; the removed follower still counts until the controller answers.
        Assert.Null(partition.MaybeShrinkIsr(Now, _sender));
        Assert.Equal(1, partition.HighWatermark);

        Assert.True(partition.CompleteIsrChange(change, new IsrChangeResult(ErrorCode.None, 1, 1, [1, 2], 1)));
        Assert.Equal(4, partition.HighWatermark);
    }

    [Fact]
    public async Task A_refused_or_stale_answer_leaves_the_isr_as_committed()
    {
        var partition = Lead([1, 2, 3]);
        partition.ReplicaLagTimeMaxMs = 1_000;
        await AppendAsync(partition, 1);
        _time.Advance(TimeSpan.FromMilliseconds(5_000));
        var change = partition.MaybeShrinkIsr(Now, _sender)!;
        Assert.Equal([1], change.NewIsr);

        Assert.False(partition.CompleteIsrChange(change, IsrChangeResult.Failed(ErrorCode.InvalidUpdateVersion)));
        Assert.Same(change, partition.PendingIsrChange);
        partition.MakeLeader(2, 5, [1, 2, 3], [1, 2, 3]);
        Assert.Null(partition.PendingIsrChange);
        Assert.False(partition.CompleteIsrChange(change, new IsrChangeResult(ErrorCode.None, 1, 1, [1], 6)));
        Assert.Equal([1, 2, 3], partition.Isr);

        var again = partition.MaybeShrinkIsr(Now + 5_000, _sender)!;
        Assert.False(partition.CompleteIsrChange(again, IsrChangeResult.Failed(ErrorCode.IneligibleReplica)));
        Assert.Null(partition.PendingIsrChange);
    }

    [Fact]
    public async Task Acks_all_waits_for_the_high_watermark_and_fails_once_the_isr_is_too_small_or_leadership_moves()
    {
        var partition = Lead([1, 2], Config with { MinInSyncReplicas = 2 });
        var appended = await partition.AppendAsync(Batch(), AppendOrigin.Client);
        Assert.Equal(0, appended.LastOffset);
        var wait = partition.WaitForReplicationAsync(appended.LastOffset + 1, CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        partition.UpdateFollowerFetchState(2, 1, 0, Now);
        Assert.Equal(ErrorCode.None, await wait.WaitAsync(TimeSpan.FromSeconds(60)));

        var second = await partition.AppendAsync(Batch(), AppendOrigin.Client);
        using (var timeout = new CancellationTokenSource())
        {
            var timedOut = partition.WaitForReplicationAsync(second.LastOffset + 1, timeout.Token).AsTask();
            await timeout.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timedOut);
        }

        partition.ReplicaLagTimeMaxMs = 1_000;
        var shrinking = partition.WaitForReplicationAsync(second.LastOffset + 1, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(5_000));
        var change = partition.MaybeShrinkIsr(Now, _sender)!;
        partition.CompleteIsrChange(change, new IsrChangeResult(ErrorCode.None, 1, 1, [1], 1));
        Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, await shrinking.WaitAsync(TimeSpan.FromSeconds(60)));

        partition.MakeLeader(2, 2, [1, 2, 3], [1, 2]);
        var moved = partition.WaitForReplicationAsync(second.LastOffset + 1, CancellationToken.None);
        Assert.False(moved.IsCompleted);
        partition.MakeFollower(2, 3, 3, [1, 2, 3], [2]);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, await moved.AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, (await partition.AppendAsync(Batch(), AppendOrigin.Client)).Error);
    }

    [Fact]
    public async Task A_new_leader_answers_a_retried_idempotent_batch_it_replicated_as_a_duplicate()
    {
        var leader = Lead([1, 2]);
        var batch = Batch(producerId: 42);
        var original = await leader.AppendAsync(batch.ToArray(), AppendOrigin.Client);
        Assert.Equal(ErrorCode.None, original.Error);

        // A second broker follows and takes the batch as the leader wrote it.
        var otherRoot = Directory.CreateTempSubdirectory("gregor-leader-2-").FullName;
        var otherLogs = new LogManager(new LogManagerOptions { LogDirs = [otherRoot], ClusterId = "test-cluster", StartBackgroundTasks = false }, time: _time);
        otherLogs.Startup();
        try
        {
            var other = new ReplicaManager(otherLogs, localBrokerId: 2);
            var follower = other.BecomeFollower(Tp, leader.TopicId, Config, 1, 1, 0, [1, 2, 3], [1, 2])!.Value.Partition;
            var replicated = leader.Read(0, 1 << 20, minOneBatch: true, ReadLimit.LogEnd).Region.ToArray();
            Assert.Equal(ErrorCode.None, (await follower.AppendAsync(replicated, AppendOrigin.Replication)).Error);

            follower.MakeLeader(2, 1, [1, 2, 3], [2]);
            var retried = await follower.AppendAsync(batch.ToArray(), AppendOrigin.Client);
            Assert.Equal((ErrorCode.None, original.BaseOffset), (retried.Error, retried.BaseOffset));
            Assert.Equal(1, follower.LogEndOffset);
        }
        finally
        {
            otherLogs.Shutdown();
            Directory.Delete(otherRoot, recursive: true);
        }
    }

    private static byte[] Batch(long producerId = -1)
    {
        var builder = producerId >= 0
            ? new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = 0, BaseSequence = 0 }
            : new RecordBatchBuilder();
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "key"u8.ToArray(), new byte[32]);
        return builder.Build();
    }

    public void Dispose()
    {
        _logs.Shutdown();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class RecordingSender : IIsrChangeSender
    {
        public List<IsrChange> Changes { get; } = [];

        public bool Submit(Partition partition, IsrChange change)
        {
            Changes.Add(change);
            return true;
        }
    }
}
