namespace Gregor.Storage.Tests.Log;

public class RetentionAndCompactionTests
{
    private static void Fill(PartitionLog log, int batches, long timestamp)
    {
        for (var i = 0; i < batches; i++)
        {
            log.Append(Batches.Make(8, 100, timestamp, seed: i), 0);
        }
    }

    [Fact]
    public void RetentionBytesRemovesOldestWholeSegmentsNeverTheActiveOne()
    {
        using var f = new LogFixture(new LogConfig { SegmentBytes = 4096, RetentionBytes = 10_000, FileDeleteDelayMs = 1000 });
        var log = f.Log;
        Fill(log, 40, f.Time.NowMs);
        var before = log.SegmentBaseOffsets;
        var deleted = f.Manager.RunRetention();
        Assert.True(deleted > 0);
        var after = log.SegmentBaseOffsets;
        Assert.Equal(before.Skip(deleted), after);
        Assert.True(log.Size <= 10_000 + 4096 && log.Size > 10_000 - 4096, $"size {log.Size}");
        Assert.Equal(after[0], log.LogStartOffset);
        // Deleted segments wait as .deleted files for file.delete.delay.ms.
        var first = Path.Combine(f.PartitionDir, before[0].ToString("D20"));
        Assert.False(File.Exists(first + ".log"));
        Assert.True(File.Exists(first + ".log.deleted"));
        f.Time.Advance(1000);
        log.DeletePendingFiles();
        Assert.False(File.Exists(first + ".log.deleted"));
        Assert.False(File.Exists(first + ".index.deleted"));

        // A log that is only its active segment keeps it whatever its size.
        f.Manager.UpdateTopicConfig(LogFixture.Tp.Topic, f.Config with { RetentionBytes = 0, SegmentBytes = 1 << 30 });
        log.Roll();
        Fill(log, 10, f.Time.NowMs);
        f.Manager.RunRetention();
        Assert.Equal(1, log.SegmentCount);
        Assert.True(log.Size > 0);
    }

    [Fact]
    public void RetentionMsJudgesSegmentsByTheirLargestTimestamp()
    {
        using var f = new LogFixture(new LogConfig { SegmentBytes = 4096, RetentionMs = 60_000, FileDeleteDelayMs = 0 });
        f.Time.Advance(1_000_000);
        var log = f.Log;
        Fill(log, 12, f.Time.NowMs - 120_000); // old records
        log.Roll();
        var oldSegments = log.SegmentCount - 1;
        Fill(log, 12, f.Time.NowMs); // fresh records
        var deleted = f.Manager.RunRetention();
        Assert.Equal(oldSegments, deleted);
        Assert.Equal(12 * 8, log.LogStartOffset);
        // Everything ages out eventually, except the active segment.
        f.Time.Advance(10 * 60_000);
        f.Manager.RunRetention();
        Assert.Equal(1, log.SegmentCount);
        Assert.True(log.Size > 0);
    }

    [Fact]
    public void CompactionKeepsTheLastValuePerKeyAndDropsTombstonesAfterDeleteRetention()
    {
        var config = new LogConfig { CleanupPolicy = "compact", SegmentBytes = 600, DeleteRetentionMs = 10_000, FileDeleteDelayMs = 0, MinCleanableDirtyRatio = 0.01 };
        using var f = new LogFixture(config);
        var log = f.Log;
        var expected = new Dictionary<string, string?>();
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            var key = "key" + random.Next(20);
            var value = random.Next(10) == 0 ? null : $"value-{i}";
            log.Append(Batches.Keyed(f.Time.NowMs, (key, value)), 0);
            expected[key] = value;
        }
        log.Roll();
        log.UpdateHighWatermark(log.LogEndOffset);
        var end = log.LogEndOffset;
        var result = f.Manager.Cleaner.Clean(log);
        Assert.NotNull(result);
        Assert.Equal(end, result.Value.EndOffset);

        List<(long Offset, string? Key, string? Value)> ReadAll()
        {
            var all = new List<(long, string?, string?)>();
            var offset = log.LogStartOffset;
            while (offset < log.LogEndOffset)
            {
                var read = log.Read(offset, 1 << 20);
                if (read.Region.IsEmpty)
                {
                    break;
                }
                var records = Batches.Records(read.Region.ToArray());
                all.AddRange(records);
                offset = records[^1].Offset + 1;
            }
            return all;
        }

        var afterFirst = ReadAll();
        // Exactly one record per key, the last written, tombstones still present.
        Assert.Equal(expected.Count, afterFirst.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key), afterFirst.Select(r => KeyValuePair.Create(r.Key!, r.Value)).OrderBy(kv => kv.Key));
        Assert.Equal(afterFirst.Select(r => r.Offset).Order(), afterFirst.Select(r => r.Offset));
        Assert.Contains(afterFirst, r => r.Value is null);
        Assert.Equal(end, f.Manager.Cleaner.Checkpoints[LogFixture.Tp]);
        Assert.True(File.Exists(Path.Combine(f.Manager.LogDirs[0], "cleaner-offset-checkpoint")));

        // After delete.retention.ms, the next cleaning removes the tombstones.
        f.Time.Advance(10_001);
        log.Append(Batches.Keyed(f.Time.NowMs, ("fresh", "x")), 0);
        log.Roll();
        log.UpdateHighWatermark(log.LogEndOffset);
        Assert.NotNull(f.Manager.Cleaner.Clean(log));
        var afterSecond = ReadAll();
        Assert.DoesNotContain(afterSecond, r => r.Value is null);
        expected["fresh"] = "x";
        Assert.Equal(expected.Where(kv => kv.Value is not null).OrderBy(kv => kv.Key),
            afterSecond.Select(r => KeyValuePair.Create(r.Key!, r.Value)).OrderBy(kv => kv.Key));

        // The compacted log survives a restart unchanged.
        f.Restart();
        log = f.Log;
        Assert.Equal(afterSecond, ReadAll());
        Assert.Empty(Directory.GetFiles(f.PartitionDir, "*.cleaned"));
        Assert.Empty(Directory.GetFiles(f.PartitionDir, "*.swap"));
    }

    [Fact]
    public void InterruptedSwapIsCompletedAtStartup()
    {
        using var f = new LogFixture(new LogConfig { CleanupPolicy = "compact", SegmentBytes = 400, FileDeleteDelayMs = 0 });
        var log = f.Log;
        for (var i = 0; i < 20; i++)
        {
            log.Append(Batches.Keyed(f.Time.NowMs, ("k", $"v{i}")), 0);
        }
        var dir = f.PartitionDir;
        var first = log.SegmentBaseOffsets[0];
        f.Manager.Shutdown();
        // A cleaner had written the first segment's replacement (here: only its first batch) as .swap, then crashed.
        var live = Path.Combine(dir, first.ToString("D20") + ".log");
        var bytes = File.ReadAllBytes(live);
        File.WriteAllBytes(live + ".swap", bytes[..Gregor.Protocol.Records.RecordBatch.SizeInBytes(bytes)]);
        f.Manager.Startup();
        Assert.False(File.Exists(live + ".swap"));
        Assert.Equal(Gregor.Protocol.Records.RecordBatch.SizeInBytes(bytes), new FileInfo(live).Length);
    }

    [Fact]
    public void DirtyRatioGatesCleaning()
    {
        using var f = new LogFixture(new LogConfig { CleanupPolicy = "compact", SegmentBytes = 600, MinCleanableDirtyRatio = 0.5, FileDeleteDelayMs = 0 });
        var log = f.Log;
        for (var i = 0; i < 50; i++)
        {
            log.Append(Batches.Keyed(f.Time.NowMs, ("k" + (i % 5), "v" + i)), 0);
        }
        log.Roll();
        log.UpdateHighWatermark(log.LogEndOffset);
        Assert.True(f.Manager.Cleaner.RunOnce());
        // Nothing new is dirty: the ratio is 0 and nothing runs.
        Assert.Equal(0, f.Manager.Cleaner.DirtyRatio(log, out _));
        Assert.False(f.Manager.Cleaner.RunOnce());
    }
}
