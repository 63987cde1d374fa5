using Gregor.Broker.Replication;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.Broker.Tests.Replication;

/// <summary>The follower's decisions on a fetch answer: truncation offsets, out-of-range handling, the batches it appends, and the fetcher a partition goes to.</summary>
public sealed class FollowerFetchRulesTests
{
    private static (int, long) Unknown(int epoch) => (-1, -1);

    [Fact]
    public void Records_without_a_diverging_epoch_are_appended()
    {
        var step = FollowerFetchRules.Decide(ErrorCode.None, 20, 0, 25, 0, -1, -1, Unknown);
        Assert.Equal(FollowerFetchAction.Append, step.Action);
    }

    [Fact]
    public void A_diverging_epoch_the_follower_also_holds_truncates_to_the_smaller_end_of_it()
    {
        // Follower: epoch 0 covers 0..19 (its latest, so it ends at its log end 20); the leader's epoch 0 ends at 10.
        var step = FollowerFetchRules.Decide(ErrorCode.None, 20, 0, 15, 0, 0, 10, e => e == 0 ? (0, 20) : (-1, -1));
        Assert.Equal(new FollowerFetchStep(FollowerFetchAction.Truncate, 10), step);
        Assert.Equal(8, FollowerFetchRules.TruncationOffset(3, 12, (3, 8), 20, 0));
    }

    [Fact]
    public void A_diverging_epoch_the_follower_lacks_truncates_to_the_end_of_its_own_largest_epoch_below()
    {
        // Follower epochs 0 (0..9) and 2 (10..19); the leader answers its epoch 1 ends at 15.
        Assert.Equal(10, FollowerFetchRules.TruncationOffset(1, 15, (0, 10), 20, 0));
        // It holds no epoch that old: nothing of its log is known to match.
        Assert.Equal(4, FollowerFetchRules.TruncationOffset(1, 15, (-1, -1), 20, 4));
    }

    [Fact]
    public void Truncation_never_goes_above_the_log_end()
    {
        Assert.Equal(20, FollowerFetchRules.TruncationOffset(2, 30, (2, 25), 20, 0));
    }

    [Fact]
    public void Offset_out_of_range_below_the_leaders_log_start_restarts_the_log_there_and_above_its_end_truncates_to_its_high_watermark()
    {
        Assert.Equal(new FollowerFetchStep(FollowerFetchAction.TruncateFully, 100), FollowerFetchRules.Decide(ErrorCode.OffsetOutOfRange, 40, 0, 150, 100, -1, -1, Unknown));
        Assert.Equal(new FollowerFetchStep(FollowerFetchAction.Truncate, 15), FollowerFetchRules.Decide(ErrorCode.OffsetOutOfRange, 20, 0, 15, 0, -1, -1, Unknown));
        Assert.Equal(FollowerFetchAction.Backoff, FollowerFetchRules.Decide(ErrorCode.OffsetOutOfRange, 20, 0, -1, -1, -1, -1, Unknown).Action);
    }

    [Theory]
    [InlineData(ErrorCode.FencedLeaderEpoch)]
    [InlineData(ErrorCode.UnknownLeaderEpoch)]
    [InlineData(ErrorCode.NotLeaderOrFollower)]
    [InlineData(ErrorCode.UnknownTopicOrPartition)]
    [InlineData(ErrorCode.KafkaStorageError)]
    public void Other_errors_back_off(ErrorCode error)
    {
        Assert.Equal(FollowerFetchAction.Backoff, FollowerFetchRules.Decide(error, 20, 0, 25, 0, -1, -1, Unknown).Action);
    }

    [Fact]
    public void Appendable_batches_are_whole_and_skip_those_ending_below_the_log_end()
    {
        var records = Concat(Batch(0, 5), Batch(5, 5), Batch(10, 5));
        var (batches, alignTo) = FollowerFetchRules.Appendable(records, 5);
        Assert.Equal(-1, alignTo);
        Assert.Equal(Concat(Batch(5, 5), Batch(10, 5)), batches.ToArray());

        var (partial, _) = FollowerFetchRules.Appendable(records.AsMemory(0, records.Length - 3), 5);
        Assert.Equal(Batch(5, 5), partial.ToArray());
    }

    [Fact]
    public void A_log_end_inside_the_leaders_first_batch_asks_to_truncate_to_its_base_offset()
    {
        var (batches, alignTo) = FollowerFetchRules.Appendable(Concat(Batch(5, 5), Batch(10, 5)), 7);
        Assert.True(batches.IsEmpty);
        Assert.Equal(5, alignTo);
    }

    [Fact]
    public void Partitions_spread_over_fetchers_as_Kafka_does()
    {
        // Java: abs(31 * "topic".hashCode() + 3) = abs(31 * 110546223 + 3, wrapped) = 868034380, and 868034380 % 7 = 3.
        Assert.Equal(3, ReplicaFetcherManager.FetcherIdFor(new TopicPartition("topic", 3), 7));
        Assert.Equal(0, ReplicaFetcherManager.FetcherIdFor(new TopicPartition("topic", 3), 1));
    }

    private static byte[] Concat(params byte[][] batches) => [.. batches.SelectMany(b => b)];

    private static byte[] Batch(long baseOffset, int records)
    {
        var batch = new byte[RecordBatch.HeaderSize];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(batch, baseOffset);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), RecordBatch.HeaderSize - RecordBatch.LogOverhead);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(23), records - 1);
        return batch;
    }
}
