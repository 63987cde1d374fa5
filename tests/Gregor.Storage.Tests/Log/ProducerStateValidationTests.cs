using Gregor.Storage.Producers;

namespace Gregor.Storage.Tests.Log;

/// <summary>
/// The leader's append checks idempotent batches against the producer state under the log lock:
/// a retry sent alone gets its original offsets and writes nothing; a stale epoch, a sequence gap
/// or a retry among other batches is refused with nothing written. A follower's append (offsets
/// kept) is not checked: the leader decided.
/// </summary>
public sealed class ProducerStateValidationTests
{
    [Fact]
    public void A_retry_sent_alone_is_answered_with_its_original_offsets_and_not_written()
    {
        using var f = new LogFixture();
        var log = f.Log;
        log.Append(Batches.Idempotent(7, 0), 0);
        log.Append(Batches.Idempotent(7, 1), 0);

        var retry = log.Append(Batches.Idempotent(7, 0), 0);

        Assert.True(retry.IsDuplicate);
        Assert.Equal((0L, 0L), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(2, log.LogEndOffset);
    }

    [Theory]
    [InlineData(3, 0, SequenceCheck.OutOfOrder)]
    [InlineData(2, -1, SequenceCheck.InvalidEpoch)]
    public void A_sequence_gap_or_a_stale_epoch_is_refused_with_nothing_written(int sequence, short epochDelta, SequenceCheck expected)
    {
        using var f = new LogFixture();
        var log = f.Log;
        log.Append(Batches.Idempotent(7, 0, epoch: 1), 0);
        log.Append(Batches.Idempotent(7, 1, epoch: 1), 0);

        var refused = Assert.Throws<ProducerStateException>(() => log.Append(Batches.Idempotent(7, sequence, epoch: (short)(1 + epochDelta)), 0));

        Assert.Equal(expected, refused.Verdict);
        Assert.Equal(2, log.LogEndOffset);
    }

    [Fact]
    public void A_retry_among_other_batches_refuses_all_of_them()
    {
        using var f = new LogFixture();
        var log = f.Log;
        log.Append(Batches.Idempotent(7, 0), 0);

        var both = Batches.Idempotent(8, 0).Concat(Batches.Idempotent(7, 0)).ToArray();
        var refused = Assert.Throws<ProducerStateException>(() => log.Append(both, 0));

        Assert.Equal(SequenceCheck.Duplicate, refused.Verdict);
        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal(SequenceCheck.Valid, log.Producers.Check(8, 0, 0, 0, out _));
    }

    [Fact]
    public void A_followers_append_is_not_checked()
    {
        using var f = new LogFixture();
        var log = f.Log;
        log.Append(Batches.Idempotent(7, 0), 0);
        var gap = Batches.Idempotent(7, 5);
        Gregor.Protocol.Records.RecordBatch.SetBaseOffset(gap, 1);

        var info = log.Append(gap, 0, assignOffsets: false);

        Assert.False(info.IsDuplicate);
        Assert.Equal(2, log.LogEndOffset);
    }
}
