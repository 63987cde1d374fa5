using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Log;

public class PartitionLogTests
{
    [Fact]
    public void AppendAssignsOffsetsAndReadReturnsTheSameBytes()
    {
        using var f = new LogFixture();
        var log = f.Log;
        var a = Batches.Make(3, 50, 1000);
        var b = Batches.Make(2, 50, 2000, seed: 1);
        var infoA = log.Append(a, leaderEpoch: 5);
        var infoB = log.Append(b, leaderEpoch: 5);
        Assert.Equal((0L, 2L), (infoA.FirstOffset, infoA.LastOffset));
        Assert.Equal((3L, 4L), (infoB.FirstOffset, infoB.LastOffset));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(5, RecordBatch.PartitionLeaderEpoch(a));
        Assert.True(RecordBatch.IsCrcValid(a), "patching offset and epoch must not break the CRC");

        var read = log.Read(0, 1 << 20);
        Assert.Equal(0, read.FirstBatchBaseOffset);
        Assert.Equal(a.Concat(b).ToArray(), read.Region.ToArray());
        // Reading from the middle of the second batch starts with that batch.
        var mid = log.Read(4, 1 << 20);
        Assert.Equal(3, mid.FirstBatchBaseOffset);
        Assert.Equal(b, mid.Region.ToArray());
        // The byte limit stops before a batch that would not fit, but never returns nothing.
        Assert.Equal(a, log.Read(0, a.Length + 10).Region.ToArray());
        Assert.Equal(a, log.Read(0, 1).Region.ToArray());
        // maxOffset (the high watermark for consumers) bounds the read.
        Assert.Equal(a, log.Read(0, 1 << 20, maxOffset: 3).Region.ToArray());
        Assert.True(log.Read(5, 100).Region.IsEmpty);
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(6, 100));
        Assert.Equal([new Checkpoints.EpochEntry(5, 0)], log.LeaderEpochCache.Entries);
    }

    [Fact]
    public void FollowerAppendKeepsOffsetsAndRefusesGoingBack()
    {
        using var f = new LogFixture();
        var log = f.Log;
        var batch = new RecordBatchBuilder().Build(baseOffset: 0);
        var leader = Batches.Make(2, 10, 1000);
        RecordBatch.SetBaseOffset(leader, 10);
        RecordBatch.SetPartitionLeaderEpoch(leader, 3);
        log.Append(leader, 0, assignOffsets: false);
        Assert.Equal(12, log.LogEndOffset);
        Assert.Equal(10, log.SegmentBaseOffsets[0]);
        var old = Batches.Make(1, 10, 1000);
        RecordBatch.SetBaseOffset(old, 5);
        Assert.Throws<LogAppendException>(() => log.Append(old, 0, assignOffsets: false));
        Assert.Equal(3, log.LeaderEpochCache.EndOffsetFor(3, log.LogEndOffset).Epoch);
        Assert.NotNull(batch);
    }

    [Fact]
    public void LogAppendTimeStampsTheBatchAndKeepsItValid()
    {
        using var f = new LogFixture(new LogConfig { MessageTimestampType = TimestampType.LogAppendTime });
        var batch = Batches.Make(2, 10, 5);
        var info = f.Log.Append(batch, 0);
        Assert.Equal(f.Time.NowMs, info.LogAppendTime);
        var stored = f.Log.Read(0, 1000).Region.ToArray();
        Assert.Equal(f.Time.NowMs, RecordBatch.MaxTimestamp(stored));
        Assert.Equal(TimestampType.LogAppendTime, RecordBatch.TimestampType(stored));
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(stored, BatchValidationOptions.Default, out _));
    }

    [Fact]
    public void OversizedAndMalformedAppendsAreRefusedBeforeWriting()
    {
        using var f = new LogFixture(new LogConfig { MaxMessageBytes = 200 });
        Assert.Throws<LogAppendException>(() => f.Log.Append(Batches.Make(5, 100, 1), 0));
        var batch = Batches.Make(1, 10, 1);
        Assert.Throws<LogAppendException>(() => f.Log.Append(batch.AsSpan(0, batch.Length - 1), 0));
        batch[RecordBatch.MagicOffset] = 1;
        Assert.Throws<LogAppendException>(() => f.Log.Append(batch, 0));
        Assert.Equal(0, f.Log.LogEndOffset);
        Assert.Equal(0, f.Log.Size);
    }

    [Fact]
    public void TenMegabytesWithOneMegabyteSegmentsMakesTenNamedSegmentsWithIndexes()
    {
        using var f = new LogFixture(new LogConfig { SegmentBytes = 1024 * 1024 });
        var log = f.Log;
        long written = 0;
        var i = 0;
        while (written < 10 * 1024 * 1024)
        {
            var batch = Batches.Make(16, 1000, 1000 + i, seed: i);
            log.Append(batch, 0);
            written += batch.Length;
            i++;
        }
        var bases = log.SegmentBaseOffsets;
        Assert.True(bases.Count >= 10, $"{bases.Count} segments");
        foreach (var b in bases)
        {
            var prefix = Path.Combine(f.PartitionDir, b.ToString("D20"));
            Assert.True(File.Exists(prefix + ".log"));
            Assert.True(File.Exists(prefix + ".index"));
            Assert.True(File.Exists(prefix + ".timeindex"));
            Assert.True(new FileInfo(prefix + ".log").Length <= 1024 * 1024);
        }
        // Closed segments' indexes were trimmed to their entries; the active one is pre-allocated.
        var first = Path.Combine(f.PartitionDir, bases[0].ToString("D20"));
        var indexLength = new FileInfo(first + ".index").Length;
        Assert.True(indexLength > 0 && indexLength < 10 * 1024 && indexLength % 8 == 0, $"index length {indexLength}");
        Assert.Equal(10 * 1024 * 1024 / 12 * 12, new FileInfo(Path.Combine(f.PartitionDir, bases[^1].ToString("D20")) + ".timeindex").Length);

        // Every batch can be found by any of its offsets, across all segments.
        for (long offset = 0; offset < log.LogEndOffset; offset += 37)
        {
            var read = log.Read(offset, 1);
            Assert.True(read.FirstBatchBaseOffset <= offset && offset < read.FirstBatchBaseOffset + 16);
            Assert.Equal(offset / 16 * 16, read.FirstBatchBaseOffset);
        }

        // Offset for timestamp: batch i has timestamps 1000+i .. 1000+i+15, so 1100 first appears as the last record of batch 85.
        Assert.Equal((85L * 16 + 15, 1100L), log.FetchOffsetForTimestamp(1100));
        Assert.Null(log.FetchOffsetForTimestamp(1_000_000));
        Assert.Equal((0L, 1000L), log.FetchOffsetForTimestamp(0));

        // The indexes survive a restart and give the same answers.
        f.Restart();
        log = f.Log;
        Assert.Equal(bases, log.SegmentBaseOffsets);
        Assert.Equal((85L * 16 + 15, 1100L), log.FetchOffsetForTimestamp(1100));
        Assert.Equal(i * 16L, log.LogEndOffset);
    }

    [Fact]
    public void SegmentMsAndAFullIndexRoll()
    {
        using var f = new LogFixture(new LogConfig { SegmentMs = 1000, MaxIndexSize = 8 * 4, IndexIntervalBytes = 1 });
        var log = f.Log;
        log.Append(Batches.Make(1, 10, f.Time.NowMs), 0);
        log.Append(Batches.Make(1, 10, f.Time.NowMs), 0);
        Assert.Equal(1, log.SegmentCount);
        f.Time.Advance(1001);
        log.Append(Batches.Make(1, 10, f.Time.NowMs), 0);
        Assert.Equal(2, log.SegmentCount);
        // The index holds 4 entries; the first batch of a segment gets none, so the 6th batch rolls.
        for (var i = 0; i < 6; i++)
        {
            log.Append(Batches.Make(1, 10, f.Time.NowMs), 0);
        }
        Assert.Equal(3, log.SegmentCount);
    }

    [Fact]
    public void TruncateToAndTruncateFully()
    {
        using var f = new LogFixture(new LogConfig { SegmentBytes = 2000 });
        var log = f.Log;
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batches.Make(2, 100, 1000 + i, seed: i), i / 10);
        }
        log.UpdateHighWatermark(60);
        Assert.Equal(60, log.HighWatermark);
        log.TruncateTo(25);
        Assert.Equal(24, log.LogEndOffset); // whole batches: the batch [24, 25] goes
        Assert.Equal(24, log.HighWatermark);
        Assert.Equal(1, log.LeaderEpochCache.LatestEpoch); // batches of 2 records, epoch = batch / 10: epoch 1 starts at 20, 2 at 40
        log.TruncateTo(20);
        Assert.Equal(20, log.LogEndOffset);
        Assert.Equal(0, log.LeaderEpochCache.LatestEpoch);
        var all = Batches.Records(log.Read(0, 1 << 20).Region.ToArray());
        Assert.Equal(0, all[0].Offset);
        var info = log.Append(Batches.Make(1, 10, 1), 7);
        Assert.Equal(20, info.FirstOffset);

        log.TruncateFullyAndStartAt(500);
        Assert.Equal(500, log.LogStartOffset);
        Assert.Equal(500, log.LogEndOffset);
        Assert.Equal([500L], log.SegmentBaseOffsets);
        Assert.Equal(500, log.Append(Batches.Make(1, 10, 1), 8).FirstOffset);
        f.Restart();
        Assert.Equal(501, f.Log.LogEndOffset);
        Assert.Equal(500, f.Log.LogStartOffset);
    }

    [Fact]
    public void DeleteRecordsMovesTheLogStartAndRetentionRemovesSegmentsBelowIt()
    {
        using var f = new LogFixture(new LogConfig { SegmentBytes = 2000, FileDeleteDelayMs = 0 });
        var log = f.Log;
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batches.Make(2, 100, 1000 + i, seed: i), 0);
        }
        Assert.Throws<OffsetOutOfRangeException>(() => log.DeleteRecordsBefore(10));
        log.UpdateHighWatermark(log.LogEndOffset);
        var segmentsBefore = log.SegmentCount;
        Assert.Equal(31, log.DeleteRecordsBefore(31));
        Assert.Throws<OffsetOutOfRangeException>(() => log.Read(30, 100));
        Assert.Equal(30, log.Read(31, 100).FirstBatchBaseOffset);
        var deleted = f.Manager.RunRetention();
        Assert.True(deleted > 0 && log.SegmentBaseOffsets[0] <= 31 && log.SegmentCount == segmentsBefore - deleted);
        Assert.Equal(31, log.LogStartOffset);
        f.Restart();
        Assert.Equal(31, f.Log.LogStartOffset);
        Assert.Throws<OffsetOutOfRangeException>(() => f.Log.Read(30, 100));
    }

    [Fact]
    public async Task FlushEveryMessageGroupsConcurrentAppendsIntoSharedFsyncs()
    {
        using var f = new LogFixture(new LogConfig { FlushIntervalMessages = 1 });
        var log = f.Log;
        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var info = await log.AppendAsync(Batches.Make(1, 20, 1000, seed: i), 0);
            // Acknowledged only once fsynced: the recovery point already covers it.
            Assert.True(log.RecoveryPoint > info.LastOffset, $"recovery point {log.RecoveryPoint} at ack of {info.LastOffset}");
            return info.LastOffset;
        })).ToArray();
        var offsets = await Task.WhenAll(tasks);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), offsets.Order());
        Assert.Equal(200, log.RecoveryPoint);
    }

    [Fact]
    public void LiveConfigUpdateAppliesToExistingPartitions()
    {
        using var f = new LogFixture();
        var log = f.Log;
        f.Manager.UpdateTopicConfig(LogFixture.Tp.Topic, new LogConfig { SegmentBytes = 500 });
        for (var i = 0; i < 10; i++)
        {
            log.Append(Batches.Make(1, 200, 1), 0);
        }
        Assert.True(log.SegmentCount >= 5);
    }
}
