using System.Diagnostics;
using Gregor.Protocol.Records;
using Gregor.Storage;

// Storage throughput: appends of 16 KiB and 1 MiB batches (1 KiB records) through PartitionLog
// against the same bytes written with a plain FileStream, then a full scan through
// PartitionLog.Read + FileRegion.CopyTo against a plain sequential FileStream read.
// Usage: dotnet run -c Release --project bench/Gregor.Bench.Storage [-- MiB-per-run]
var totalMiB = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 512;
var root = Path.Combine(Path.GetTempPath(), "gregor-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
try
{
    foreach (var recordsPerBatch in new[] { 16, 1024 })
    {
        Run(root, recordsPerBatch, (long)totalMiB << 20);
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

static byte[] MakeBatch(int records)
{
    var builder = new RecordBatchBuilder();
    var value = new byte[1024 - 24];
    new Random(1).NextBytes(value);
    for (var i = 0; i < records; i++)
    {
        builder.Append(1_700_000_000_000 + i, BitConverter.GetBytes(i), value);
    }
    return builder.Build();
}

static void Run(string root, int recordsPerBatch, long totalBytes)
{
    var batch = MakeBatch(recordsPerBatch);
    var count = (int)(totalBytes / batch.Length);
    Console.WriteLine($"== batches of {recordsPerBatch} x 1 KiB records ({batch.Length} bytes), {count} appends, {(long)count * batch.Length >> 20} MiB per run");
    double bestLog = 0, bestPlain = 0, bestScan = 0, bestPlainRead = 0;
    long allocatedPerAppend = -1;
    for (var round = 0; round < 4; round++)
    {
        // The order alternates between rounds, so neither side always runs while the other's
        // dirty pages are being written back.
        var plainPath = Path.Combine(root, "plain.bin");
        var sw = new Stopwatch();
        void WritePlain()
        {
            sw.Restart();
            using (var plain = new FileStream(plainPath, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
            {
                for (var i = 0; i < count; i++)
                {
                    plain.Write(batch);
                }
            }
            bestPlain = Math.Max(bestPlain, Rate(count, batch.Length, sw.Elapsed));
        }
        if (round % 2 == 0)
        {
            WritePlain();
        }

        var dir = Path.Combine(root, "logs" + round);
        var manager = new LogManager(new LogManagerOptions
        {
            LogDirs = [dir],
            StartBackgroundTasks = false,
            DefaultConfig = new LogConfig { MaxMessageBytes = 4 << 20, SegmentBytes = 1 << 30 },
        });
        manager.Startup();
        var log = manager.GetOrCreateLog(new TopicPartition("bench", 0));
        // Warm-up outside the measurement (JIT, first index page).
        for (var i = 0; i < 16; i++)
        {
            log.Append(batch, 0);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        sw.Restart();
        for (var i = 0; i < count; i++)
        {
            log.Append(batch, 0);
        }
        var elapsed = sw.Elapsed;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        bestLog = Math.Max(bestLog, Rate(count, batch.Length, elapsed));
        allocatedPerAppend = Math.Max(allocatedPerAppend, allocated / count);

        if (round % 2 == 1)
        {
            WritePlain();
        }

        // Full scan: 1 MiB reads of whole batches copied into one buffer, against plain reads of the plain file.
        var buffer = new byte[(4 << 20) + batch.Length];
        sw.Restart();
        long offset = log.LogStartOffset, scanned = 0;
        while (offset < log.LogEndOffset)
        {
            var read = log.Read(offset, 1 << 20);
            var n = read.Region.CopyTo(buffer);
            scanned += n;
            // The last batch of the region ends the read: its last offset + 1 is the next fetch offset.
            offset = NextOffset(buffer.AsSpan(0, n));
        }
        bestScan = Math.Max(bestScan, scanned / (1024.0 * 1024.0) / sw.Elapsed.TotalSeconds);
        sw.Restart();
        long plainRead = 0;
        using (var plain = new FileStream(plainPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            int n;
            while ((n = plain.Read(buffer, 0, 1 << 20)) > 0)
            {
                plainRead += n;
            }
        }
        bestPlainRead = Math.Max(bestPlainRead, plainRead / (1024.0 * 1024.0) / sw.Elapsed.TotalSeconds);
        manager.Shutdown();
        Directory.Delete(dir, recursive: true);
        File.Delete(plainPath);
    }
    Console.WriteLine($"append   PartitionLog {bestLog,8:F0} MB/s   plain FileStream {bestPlain,8:F0} MB/s   ratio {bestLog / bestPlain:P0}");
    Console.WriteLine($"alloc    {allocatedPerAppend} bytes per append (steady state)");
    Console.WriteLine($"scan     PartitionLog {bestScan,8:F0} MB/s   plain FileStream {bestPlainRead,8:F0} MB/s   ratio {bestScan / bestPlainRead:P0}");
}

static double Rate(int count, int size, TimeSpan elapsed) => (double)count * size / (1024.0 * 1024.0) / elapsed.TotalSeconds;

static long NextOffset(ReadOnlySpan<byte> batches)
{
    var p = 0;
    long next = 0;
    while (p < batches.Length)
    {
        next = RecordBatch.LastOffset(batches[p..]) + 1;
        p += RecordBatch.SizeInBytes(batches[p..]);
    }
    return next;
}
