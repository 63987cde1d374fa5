namespace Gregor.Storage.Tests.Log;

/// <summary>
/// Index files as the log holds them: mapped without a descriptor (one descriptor per segment,
/// its log), and never trusted when the file cannot be what the log wrote — such an index is
/// rebuilt from the log at open instead of crashing the load.
/// </summary>
public sealed class IndexFileTests
{
    private static readonly LogConfig SmallSegments = new() { SegmentBytes = 4096, IndexIntervalBytes = 100 };

    /// <summary>This process's descriptors that point into <paramref name="dir"/>.</summary>
    private static List<string> DescriptorsUnder(string dir) =>
        new DirectoryInfo("/proc/self/fd").GetFileSystemInfos()
            .Select(fd =>
            {
                try
                {
                    return fd.LinkTarget;
                }
                catch (IOException)
                {
                    return null;
                }
            })
            .OfType<string>()
            .Where(target => target.StartsWith(dir + "/", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void Each_segment_holds_one_descriptor_its_log_file()
    {
        using var f = new LogFixture(SmallSegments);
        for (var p = 0; p < 10; p++)
        {
            AppendBatches(f.Manager.GetOrCreateLog(new TopicPartition("fds", p)));
        }
        var segments = f.Manager.AllLogs.Sum(l => l.SegmentCount);
        Assert.True(segments > 10, $"{segments} segments");

        // The log dir's own .lock is held once per dir, not per segment.
        var held = DescriptorsUnder(f.Dirs[0]).Where(t => t != Path.Combine(f.Dirs[0], LogFileNames.LockFile)).ToList();
        Assert.All(held, target => Assert.EndsWith(".log", target, StringComparison.Ordinal));
        Assert.Equal(segments, held.Count);
        // The indexes still work without a descriptor: lookups by offset and by time.
        var first = f.Manager.GetLog(new TopicPartition("fds", 3))!;
        Assert.Equal(40, Batches.Records(first.Read(40, 1 << 20).Region.ToArray())[0].Offset);
        Assert.Equal(19, first.FetchOffsetForTimestamp(1010)!.Value.Offset);
    }

    [Fact]
    public void An_index_file_too_large_to_map_is_rebuilt_at_open()
    {
        using var f = new LogFixture(SmallSegments);
        AppendBatches(f.Log);
        var segments = f.Log.SegmentBaseOffsets;
        Assert.True(segments.Count > 2);
        var index = LogFileNames.IndexFile(f.PartitionDir, segments[1]);
        f.Restart(clean: true, whileDown: () =>
        {
            // A sparse file of 3 GiB: more than an int can address.
            using var file = new FileStream(index, FileMode.Open, FileAccess.ReadWrite);
            file.SetLength(3L << 30);
        });

        Assert.Contains(f.Logs.Messages, m => m.Contains("rebuilding indexes", StringComparison.Ordinal) && m.Contains(Path.GetFileNameWithoutExtension(index), StringComparison.Ordinal));
        Assert.Equal(60, f.Log.LogEndOffset);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), ReadAll(f.Log).Select(r => r.Offset));
        Assert.True(new FileInfo(index).Length < 4096, $"index rebuilt and trimmed, {new FileInfo(index).Length} bytes");
    }

    [Fact]
    public void An_index_with_unallocated_pages_among_its_entries_is_rebuilt_at_open()
    {
        using var f = new LogFixture(SmallSegments);
        AppendBatches(f.Log);
        var segments = f.Log.SegmentBaseOffsets;
        var index = LogFileNames.IndexFile(f.PartitionDir, segments[1]);
        f.Restart(clean: true, whileDown: () =>
        {
            // What a dir that failed leaves: the pre-allocated tail was never trimmed, and is a hole.
            using var file = new FileStream(index, FileMode.Open, FileAccess.ReadWrite);
            file.SetLength(file.Length + (1 << 20));
        });

        Assert.Contains(f.Logs.Messages, m => m.Contains("rebuilding indexes", StringComparison.Ordinal) && m.Contains(Path.GetFileNameWithoutExtension(index), StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), ReadAll(f.Log).Select(r => r.Offset));
    }

    /// <summary>30 batches of two records (offsets 0-59, timestamps from 1000), a few segments' worth.</summary>
    private static void AppendBatches(PartitionLog log)
    {
        for (var i = 0; i < 30; i++)
        {
            log.Append(Batches.Make(2, 100, 1000 + i, seed: i), 0);
        }
    }

    private static List<(long Offset, string? Key, string? Value)> ReadAll(PartitionLog log)
    {
        var records = new List<(long Offset, string? Key, string? Value)>();
        var offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var read = log.Read(offset, 1 << 20);
            var batch = Batches.Records(read.Region.ToArray());
            records.AddRange(batch.Where(r => r.Offset >= offset));
            offset = batch[^1].Offset + 1;
        }
        return records;
    }
}
