using Gregor.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Tests.Log;

/// <summary>
/// A log of 10,000 batches is built once; each case damages a copy of its files, opens it as after
/// a crash (no clean-shutdown marker, no recovery point) and checks that exactly the batches
/// before the damage survive, byte for byte, with valid CRCs, and that recovery says what it cut.
/// </summary>
public sealed class CrashRecoveryTests : IClassFixture<CrashRecoveryTests.BuiltLog>
{
    private const int BatchCount = 10_000;
    private readonly BuiltLog _built;

    public CrashRecoveryTests(BuiltLog built) => _built = built;

    public sealed class BuiltLog : IDisposable
    {
        public BuiltLog()
        {
            using var f = new LogFixture();
            var position = 0L;
            for (var i = 0; i < BatchCount; i++)
            {
                var batch = Batches.Make(1 + (i % 3), 10 + (i % 40), 1000 + i, seed: i);
                f.Log.Append(batch, 0);
                position += batch.Length;
                Ends.Add(position);
                FirstOffsets.Add(i == 0 ? 0 : FirstOffsets[^1] + 1 + ((i - 1) % 3));
            }
            LogEndOffset = f.Log.LogEndOffset;
            var dir = f.PartitionDir;
            f.Manager.Shutdown();
            foreach (var file in Directory.GetFiles(dir))
            {
                Files[Path.GetFileName(file)] = File.ReadAllBytes(file);
            }
            f.Manager.Startup();
        }

        /// <summary>End position of batch i in the .log file.</summary>
        public List<long> Ends { get; } = [];

        public List<long> FirstOffsets { get; } = [];

        public long LogEndOffset { get; }

        public Dictionary<string, byte[]> Files { get; } = [];

        public byte[] LogBytes => Files[new string('0', 20) + ".log"];

        public void Dispose()
        {
        }
    }

    private (PartitionLog Log, LogManager Manager, ListLoggerProvider Logs, TempDir Temp) OpenDamaged(Action<Dictionary<string, byte[]>> damage, bool clean = false)
    {
        var temp = new TempDir();
        var partition = Path.Combine(temp.Path, "events-0");
        Directory.CreateDirectory(partition);
        var files = _built.Files.ToDictionary(kv => kv.Key, kv => (byte[])kv.Value.Clone());
        damage(files);
        foreach (var (name, bytes) in files)
        {
            File.WriteAllBytes(Path.Combine(partition, name), bytes);
        }
        if (clean)
        {
            File.WriteAllText(Path.Combine(temp.Path, ".kafka_cleanshutdown"), "");
        }
        var logs = new ListLoggerProvider();
        var manager = new LogManager(new LogManagerOptions { LogDirs = [temp.Path], StartBackgroundTasks = false, ClusterId = "c" },
            null, LoggerFactory.Create(b => b.AddProvider(logs)), new ManualTime());
        manager.Startup();
        return (manager.GetLog(LogFixture.Tp)!, manager, logs, temp);
    }

    /// <summary>Reads the whole log and checks it is exactly the first <paramref name="batches"/> original batches.</summary>
    private void AssertHoldsExactly(PartitionLog log, int batches)
    {
        var expectedBytes = batches == 0 ? 0 : _built.Ends[batches - 1];
        Assert.Equal(batches == 0 ? 0 : _built.FirstOffsets[batches - 1] + 1 + ((batches - 1) % 3), log.LogEndOffset);
        using var all = new MemoryStream();
        var offset = 0L;
        while (offset < log.LogEndOffset)
        {
            var read = log.Read(offset, 256 * 1024);
            var bytes = read.Region.ToArray();
            Assert.NotEmpty(bytes);
            Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(bytes, BatchValidationOptions.Default, out _));
            all.Write(bytes);
            offset = RecordBatch.LastOffset(bytes.AsSpan(LastBatchStart(bytes))) + 1;
        }
        Assert.Equal(expectedBytes, all.Length);
        Assert.True(_built.LogBytes.AsSpan(0, (int)expectedBytes).SequenceEqual(all.ToArray()));
    }

    private static int LastBatchStart(byte[] bytes)
    {
        var p = 0;
        while (p + RecordBatch.SizeInBytes(bytes.AsSpan(p)) < bytes.Length)
        {
            p += RecordBatch.SizeInBytes(bytes.AsSpan(p));
        }
        return p;
    }

    private int BatchesEndingBy(long position) => _built.Ends.Count(e => e <= position);

    [Fact]
    public void TruncatedActiveLogKeepsEveryWholeBatchBeforeTheCut()
    {
        var random = new Random(1);
        for (var i = 0; i < 50; i++)
        {
            var cut = random.NextInt64(0, _built.LogBytes.Length);
            var (log, manager, logs, temp) = OpenDamaged(files => files[new string('0', 20) + ".log"] = _built.LogBytes[..(int)cut]);
            using (temp)
            {
                var kept = BatchesEndingBy(cut);
                AssertHoldsExactly(log, kept);
                var keptBytes = kept == 0 ? 0 : _built.Ends[kept - 1];
                if (keptBytes != cut)
                {
                    Assert.Contains(logs.Messages, m => m.Contains($"cut at position {keptBytes}") && m.Contains($"dropped {cut - keptBytes} bytes"));
                }
                // The recovered log takes appends again right after the last kept batch.
                Assert.Equal(log.LogEndOffset, log.Append(Batches.Make(1, 5, 1), 0).FirstOffset);
                manager.Shutdown();
            }
        }
    }

    [Fact]
    public void FlippedByteCutsTheLogAtTheDamagedBatch()
    {
        var random = new Random(2);
        for (var i = 0; i < 50; i++)
        {
            var position = random.Next(0, _built.LogBytes.Length);
            var (log, manager, logs, temp) = OpenDamaged(files =>
            {
                var bytes = files[new string('0', 20) + ".log"];
                bytes[position] ^= (byte)random.Next(1, 256);
            });
            using (temp)
            {
                var damagedBatch = BatchesEndingBy(position);
                AssertHoldsExactly(log, damagedBatch);
                Assert.Contains(logs.Messages, m => m.Contains("dropped") && m.Contains("events-0"));
                manager.Shutdown();
            }
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void MissingOrZeroedIndexesAreRebuilt(bool delete, bool cleanShutdown)
    {
        var index = new string('0', 20) + ".index";
        var timeIndex = new string('0', 20) + ".timeindex";
        var (log, manager, _, temp) = OpenDamaged(files =>
        {
            if (delete)
            {
                files.Remove(index);
                files.Remove(timeIndex);
            }
            else
            {
                files[index] = new byte[files[index].Length];
                files[timeIndex] = new byte[files[timeIndex].Length];
            }
        }, cleanShutdown);
        using (temp)
        {
            AssertHoldsExactly(log, BatchCount);
            for (var i = 0; i < BatchCount; i += 97)
            {
                Assert.Equal(_built.FirstOffsets[i], log.Read(_built.FirstOffsets[i], 1).FirstBatchBaseOffset);
            }
            // Batch i holds 1 + i % 3 records stamped 1000 + i + j: find the first stamped 6000 by brute force.
            var expected = Enumerable.Range(0, BatchCount).SelectMany(i => Enumerable.Range(0, 1 + (i % 3)).Select(j => (Offset: _built.FirstOffsets[i] + j, Ts: 1000L + i + j)))
                .First(r => r.Ts >= 6000);
            Assert.Equal((expected.Offset, expected.Ts), log.FetchOffsetForTimestamp(6000));
            var dir = log.Directory;
            manager.Shutdown();
            Assert.Equal(_built.Files[index], File.ReadAllBytes(Path.Combine(dir, index)));
        }
    }
}
