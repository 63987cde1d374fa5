using Gregor.Storage.Producers;

namespace Gregor.Storage.Tests.Log;

/// <summary>
/// Producer-state snapshots follow the segments: one at every roll, named after the new segment's
/// base offset; recovery after a crash starts from the newest one at or below the recovered log
/// end and scans only the log after it; deleting segments deletes their snapshots; truncation
/// deletes those above the new end. With 185-byte batches and 1000-byte segments, every segment
/// holds five batches, so the bases are 0, 5, 10, …
/// </summary>
public sealed class ProducerSnapshotTests
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 1000, FileDeleteDelayMs = 0 };

    [Fact]
    public void Each_roll_snapshots_the_state_of_the_log_below_the_new_segment()
    {
        using var f = new LogFixture(SmallSegments);
        AppendAlternating(f.Log, 0, 30);
        var bases = f.Log.SegmentBaseOffsets;
        Assert.Equal([0, 5, 10, 15, 20, 25], bases);
        Assert.Equal(bases.Skip(1), SnapshotOffsets(f.PartitionDir));
        foreach (var b in bases.Skip(1))
        {
            var producers = ProducerSnapshotFile.TryRead(LogFileNames.ProducerSnapshotFile(f.PartitionDir, b), out var problem);
            Assert.True(producers is not null, problem);
            Assert.Equal([1L, 2L], producers.Select(p => p.ProducerId).Order());
            Assert.Equal(b - 1, producers.Max(p => p.Batches.Last().LastOffset));
        }
    }

    [Fact]
    public void After_a_crash_the_state_is_rebuilt_from_the_last_roll_snapshot_and_the_batches_after_it()
    {
        using var f = new LogFixture(SmallSegments);
        var log = f.Log;
        var offsets = new Dictionary<(long ProducerId, int Sequence), long>();
        void Append(long producerId, int sequence) => offsets[(producerId, sequence)] = log.Append(Batches.Idempotent(producerId, sequence), 0).FirstOffset;
        Append(2, 0);
        Append(2, 1);
        var next = 0;
        while (log.SegmentCount < 4 || log.LogEndOffset - log.SegmentBaseOffsets[^1] < 2)
        {
            Append(1, next++);
        }
        var activeBase = log.SegmentBaseOffsets[^1];
        // What the roll's background flush does (fsync below the new segment, recovery point to its
        // base), done here so the test does not wait for it; the scheduler would then checkpoint it.
        log.FlushUpTo(activeBase);
        Assert.Equal(activeBase, log.RecoveryPoint);
        f.Manager.CheckpointAll();
        ClearMessages(f);

        f.Restart(clean: false);

        var messages = Messages(f);
        Assert.Single(messages, m => m.Contains("recovering unflushed segment", StringComparison.Ordinal));
        Assert.Contains($"Information: Rebuilt producer state of events-0: 2 batches scanned from offset {activeBase} (2 producers)", messages);
        var producers = f.Log.Producers;
        // Producer 1's last five batches straddle the roll: three are known from the snapshot, two from the scan.
        for (var sequence = next - 5; sequence < next; sequence++)
        {
            AssertDuplicate(producers, 1, sequence, offsets[(1, sequence)]);
        }
        // Producer 2 wrote only in the first segment: it is known from the snapshot alone.
        AssertDuplicate(producers, 2, 0, offsets[(2, 0)]);
        AssertDuplicate(producers, 2, 1, offsets[(2, 1)]);
        Assert.Equal(SequenceCheck.Valid, producers.Check(1, 0, next, next, out _));
        Assert.Equal(SequenceCheck.OutOfOrder, producers.Check(1, 0, next + 1, next + 1, out _));
    }

    [Fact]
    public void A_snapshot_above_the_recovered_log_end_is_deleted_and_an_older_one_used()
    {
        using var f = new LogFixture(SmallSegments);
        AppendAlternating(f.Log, 0, 17);
        Assert.Equal([0, 5, 10, 15], f.Log.SegmentBaseOffsets);
        var dir = f.PartitionDir;
        ClearMessages(f);

        // The crash lost the unflushed tail: the active segment and the last batch below it (offset 14).
        f.Restart(clean: false, whileDown: () =>
        {
            foreach (var file in Directory.GetFiles(dir, LogFileNames.OffsetPrefix(15) + ".*"))
            {
                File.Delete(file);
            }
            using var segment = new FileStream(LogFileNames.LogFile(dir, 10), FileMode.Open);
            segment.SetLength(segment.Length - Batches.Idempotent(1, 0).Length);
        });

        Assert.Equal(14, f.Log.LogEndOffset);
        Assert.Equal([5, 10], SnapshotOffsets(dir));
        Assert.Contains("Information: Rebuilt producer state of events-0: 4 batches scanned from offset 10 (2 producers)", Messages(f));
        var producers = f.Log.Producers;
        AssertDuplicate(producers, 2, 4, 9);
        AssertDuplicate(producers, 2, 6, 13);
        Assert.Equal(SequenceCheck.Valid, producers.Check(1, 0, 7, 7, out _));
    }

    [Fact]
    public void Deleting_segments_below_the_log_start_deletes_their_snapshots()
    {
        using var f = new LogFixture(SmallSegments);
        var log = f.Log;
        AppendAlternating(log, 0, 30);
        log.UpdateHighWatermark(log.LogEndOffset);

        log.DeleteRecordsBefore(17);
        Assert.Equal([5, 10, 15, 20, 25], SnapshotOffsets(f.PartitionDir));
        Assert.Equal(3, log.DeleteOldSegments());
        // The first live segment keeps its own snapshot, at its base below the log start.
        Assert.Equal([15, 20, 25], SnapshotOffsets(f.PartitionDir));

        f.Manager.UpdateTopicConfig(LogFixture.Tp.Topic, SmallSegments with { RetentionBytes = 0 });
        Assert.Equal(2, log.DeleteOldSegments());
        Assert.Equal([25], SnapshotOffsets(f.PartitionDir));

        f.Restart(clean: false);
        AssertDuplicate(f.Log.Producers, 2, 14, 29);
    }

    [Fact]
    public void Truncation_deletes_the_snapshots_above_the_new_end_and_rebuilds_the_state_below_it()
    {
        using var f = new LogFixture(SmallSegments);
        var log = f.Log;
        AppendAlternating(log, 0, 30);
        ClearMessages(f);

        log.TruncateTo(13);

        Assert.Equal(13, log.LogEndOffset);
        Assert.Equal([5, 10], SnapshotOffsets(f.PartitionDir));
        Assert.Contains("Information: Rebuilt producer state of events-0: 3 batches scanned from offset 10 (2 producers)", Messages(f));
        var producers = log.Producers;
        // Offset 12 (producer 1, sequence 6) is kept; offset 13 (producer 2, sequence 6) was cut and may be written again.
        AssertDuplicate(producers, 1, 6, 12);
        Assert.Equal(SequenceCheck.Valid, producers.Check(2, 0, 6, 6, out _));
        Assert.Equal(SequenceCheck.Valid, producers.Check(1, 0, 7, 7, out _));

        AppendAlternating(log, 13, 17);
        Assert.Equal([5, 10, 15], SnapshotOffsets(f.PartitionDir));
        AssertDuplicate(log.Producers, 2, 6, 13);
    }

    [Fact]
    public void A_clean_close_snapshots_the_log_end_and_the_next_roll_drops_that_snapshot()
    {
        using var f = new LogFixture(SmallSegments);
        AppendAlternating(f.Log, 0, 12);
        ClearMessages(f);

        f.Restart();

        Assert.Equal([5, 10, 12], SnapshotOffsets(f.PartitionDir));
        Assert.DoesNotContain(Messages(f), m => m.Contains("Rebuilt producer state", StringComparison.Ordinal));
        AssertDuplicate(f.Log.Producers, 2, 5, 11);
        AppendAlternating(f.Log, 12, 16);
        Assert.Equal([5, 10, 15], SnapshotOffsets(f.PartitionDir));
    }

    /// <summary>Batch i is the one-record batch of producer 1 + i % 2 at sequence i / 2, at offset i.</summary>
    private static void AppendAlternating(PartitionLog log, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            Assert.Equal(i, log.Append(Batches.Idempotent(1 + (i % 2), i / 2), 0).FirstOffset);
        }
    }

    private static void AssertDuplicate(ProducerStateManager producers, long producerId, int sequence, long offset)
    {
        Assert.Equal(SequenceCheck.Duplicate, producers.Check(producerId, 0, sequence, sequence, out var duplicate));
        Assert.Equal(offset, duplicate.FirstOffset);
    }

    private static List<long> SnapshotOffsets(string dir) =>
        [.. Directory.GetFiles(dir, "*" + LogFileNames.ProducerSnapshotSuffix).Select(p => long.Parse(Path.GetFileNameWithoutExtension(p), System.Globalization.CultureInfo.InvariantCulture)).Order()];

    private static List<string> Messages(LogFixture f)
    {
        lock (f.Logs.Messages)
        {
            return [.. f.Logs.Messages];
        }
    }

    private static void ClearMessages(LogFixture f)
    {
        lock (f.Logs.Messages)
        {
            f.Logs.Messages.Clear();
        }
    }
}
