using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Protocol.Wire;
using Gregor.Storage;
using Gregor.Storage.Checkpoints;

namespace Gregor.Broker.Tests.Partitions;

/// <summary>
/// The replica manager's LeaderAndIsr / StopReplica operations and the partition surface over a
/// real log manager in a temporary log dir.
/// </summary>
public sealed class ReplicaManagerTests : IDisposable
{
    private static readonly TopicPartition Tp = new("replicas", 0);
    private static readonly LogConfig Config = LogConfig.Default with { SegmentBytes = 64 * 1024 };
    private readonly string _root = Directory.CreateTempSubdirectory("gregor-replicas-").FullName;
    private readonly LogManager _logs;
    private readonly ReplicaManager _replicas;

    public ReplicaManagerTests()
    {
        _logs = new LogManager(new LogManagerOptions { LogDirs = [_root], ClusterId = "test-cluster", StartBackgroundTasks = false });
        _logs.Startup();
        _replicas = new ReplicaManager(_logs, localBrokerId: 1);
    }

    [Fact]
    public void Becoming_leader_creates_the_log_with_the_topic_id_config_and_leadership()
    {
        var topicId = Uuid.NewRandom();
        var partition = _replicas.BecomeLeader(Tp, topicId, Config, leaderEpoch: 3, [1, 2], [1]);

        Assert.NotNull(partition);
        Assert.Same(partition, _replicas.GetPartition(Tp.Topic, Tp.Partition));
        Assert.Equal(3, partition.LeaderEpoch);
        Assert.Equal([1, 2], partition.AssignedReplicas);
        Assert.Equal([1], partition.Isr);
        Assert.Equal(topicId, partition.TopicId);
        Assert.Equal(Config, partition.Config);
        var log = _logs.GetLog(Tp)!;
        Assert.Equal(topicId.ToString(), PartitionMetadataFile.ReadTopicId(log.Directory));
    }

    [Fact]
    public async Task A_new_leader_epoch_applies_to_the_next_appends_and_an_older_one_is_ignored()
    {
        var first = _replicas.BecomeLeader(Tp, Uuid.NewRandom(), Config, leaderEpoch: 0, [1], [1])!;
        Assert.Equal(ErrorCode.None, (await first.AppendAsync(Batch(), AppendOrigin.Client)).Error);

        var again = _replicas.BecomeLeader(Tp, first.TopicId, Config, leaderEpoch: 4, [1, 2], [1, 2]);
        var stale = _replicas.BecomeLeader(Tp, first.TopicId, Config, leaderEpoch: 2, [3], [3]);
        Assert.Same(first, again);
        Assert.Same(first, stale);
        Assert.Equal(4, first.LeaderEpoch);
        Assert.Equal([1, 2], first.Isr);

        var result = await first.AppendAsync(Batch(), AppendOrigin.Client);
        Assert.Equal((ErrorCode.None, 1L), (result.Error, result.BaseOffset));
        // ISR [1, 2]: the second batch is committed only once broker 2 has it; it is read to the log end.
        var read = first.Read(0, 1 << 20, minOneBatch: true, ReadLimit.LogEnd);
        var batches = read.Region.ToArray();
        Assert.Equal(0, RecordBatch.PartitionLeaderEpoch(batches));
        Assert.Equal(4, RecordBatch.PartitionLeaderEpoch(batches.AsSpan(RecordBatch.SizeInBytes(batches))));
    }

    [Fact]
    public async Task The_high_watermark_follows_the_log_end_for_client_appends_but_not_for_replicated_ones()
    {
        var partition = _replicas.BecomeLeader(Tp, Uuid.NewRandom(), Config, leaderEpoch: 0, [1], [1])!;
        var appended = await partition.AppendAsync(Batch(), AppendOrigin.Client);
        Assert.Equal(ErrorCode.None, appended.Error);
        Assert.Equal((1L, 1L), (partition.LogEndOffset, partition.HighWatermark));

        // A follower's batch arrives with the offset the leader gave it.
        var replicated = Batch();
        RecordBatch.SetBaseOffset(replicated, 1);
        Assert.Equal(ErrorCode.None, (await partition.AppendAsync(replicated, AppendOrigin.Replication)).Error);
        Assert.Equal((2L, 1L), (partition.LogEndOffset, partition.HighWatermark));

        Assert.True(partition.Read(1, 1 << 20, minOneBatch: true, ReadLimit.HighWatermark).Region.IsEmpty);
        var toLogEnd = partition.Read(1, 1 << 20, minOneBatch: true, ReadLimit.LogEnd);
        Assert.Equal(1, toLogEnd.FirstBatchBaseOffset);
        Assert.False(toLogEnd.Region.IsEmpty);
    }

    [Fact]
    public async Task Stopping_a_replica_wakes_parked_fetches_and_deletes_the_log_only_when_asked()
    {
        var partition = _replicas.BecomeLeader(Tp, Uuid.NewRandom(), Config, leaderEpoch: 0, [1], [1])!;
        var directory = _logs.GetLog(Tp)!.Directory;
        var parked = partition.DataArrived;

        _replicas.StopReplica(Tp, deleteLog: false);
        await parked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(_replicas.GetPartition(Tp.Topic, Tp.Partition));
        Assert.True(Directory.Exists(directory));

        var back = _replicas.BecomeLeader(Tp, partition.TopicId, Config, leaderEpoch: 1, [1], [1]);
        Assert.NotNull(back);
        Assert.NotSame(partition, back);
        _replicas.StopReplica(Tp, deleteLog: true);
        Assert.Null(_logs.GetLog(Tp));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task Records_can_be_deleted_and_offsets_found_by_timestamp_through_the_partition()
    {
        var partition = _replicas.BecomeLeader(Tp, Uuid.NewRandom(), Config, leaderEpoch: 0, [1], [1])!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorCode.None, (await partition.AppendAsync(Batch(now + i), AppendOrigin.Client)).Error);
        }
        Assert.Equal((2L, now + 2), partition.FetchOffsetForTimestamp(now + 2));
        Assert.Equal(2, partition.DeleteRecordsBefore(2));
        Assert.Equal(2, partition.LogStartOffset);
    }

    private static byte[] Batch(long? timestamp = null)
    {
        var builder = new RecordBatchBuilder();
        builder.Append(timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "key"u8.ToArray(), new byte[32]);
        return builder.Build();
    }

    public void Dispose()
    {
        _logs.Shutdown();
        Directory.Delete(_root, recursive: true);
    }
}
