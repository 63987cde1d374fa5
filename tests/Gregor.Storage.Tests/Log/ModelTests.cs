using CsCheck;
using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Log;

/// <summary>
/// Random sequences of append / roll / read / truncate / delete-records / retention / restart
/// against a list of batches in memory: every offset and every byte must agree.
/// </summary>
public class ModelTests
{
    private sealed record ModelBatch(long BaseOffset, long LastOffset, byte[] Bytes);

    [Fact]
    public void LogAgreesWithAnInMemoryModel()
    {
        Gen.Int[0, 99].Array[20, 120].Select(Gen.Int).Sample((ops, seed) => Run(ops, seed), iter: 25, threads: 1);
    }

    private static void Run(int[] ops, int seed)
    {
        var random = new Random(seed);
        using var f = new LogFixture(new LogConfig { SegmentBytes = 1500, IndexIntervalBytes = 200, MaxIndexSize = 1024, FileDeleteDelayMs = 0 });
        var model = new List<ModelBatch>();
        long logStart = 0, highWatermark = 0;
        var epoch = 0;
        long LogEnd() => model.Count == 0 ? Math.Max(logStart, 0) : model[^1].LastOffset + 1;
        var logEndAfterFullTruncate = -1L;
        var step = 0;
        var trace = new List<string>();
        foreach (var op in ops)
        {
            step++;
            var log = f.Log;
            switch (op)
            {
                case < 45:
                    {
                        var batch = Batches.Make(random.Next(1, 5), random.Next(0, 300), 1000 + random.Next(100), seed: random.Next());
                        if (random.Next(10) == 0)
                        {
                            epoch++;
                        }
                        var info = log.Append(batch, epoch);
                        Assert.Equal(logEndAfterFullTruncate >= 0 && model.Count == 0 ? logEndAfterFullTruncate : LogEnd(), info.FirstOffset);
                        model.Add(new ModelBatch(info.FirstOffset, info.LastOffset, batch));
                        break;
                    }
                case < 50:
                    log.Roll();
                    break;
                case < 70:
                    {
                        var end = log.LogEndOffset;
                        var offset = random.NextInt64(log.LogStartOffset, end + 1);
                        var maxBytes = random.Next(1, 3000);
                        var read = log.Read(offset, maxBytes);
                        var bytes = read.Region.ToArray();
                        if (offset == end)
                        {
                            Assert.Empty(bytes);
                            break;
                        }
                        var first = model.FindIndex(b => b.LastOffset >= offset);
                        Assert.Equal(model[first].BaseOffset, read.FirstBatchBaseOffset);
                        var position = 0;
                        var i = first;
                        while (position < bytes.Length)
                        {
                            Assert.True(bytes.AsSpan(position, model[i].Bytes.Length).SequenceEqual(model[i].Bytes));
                            position += model[i].Bytes.Length;
                            i++;
                        }
                        Assert.True(position <= maxBytes || i == first + 1);
                        break;
                    }
                case < 77:
                    {
                        var target = random.NextInt64(log.LogStartOffset, log.LogEndOffset + 1);
                        log.TruncateTo(target);
                        model.RemoveAll(b => b.LastOffset >= target);
                        // Truncation is by whole batches; if it falls below the log start, the log start follows (LSO ≤ LEO).
                        var modelEnd = model.Count > 0 ? model[^1].LastOffset + 1 : logEndAfterFullTruncate >= 0 ? logEndAfterFullTruncate : log.LogEndOffset;
                        logStart = Math.Min(logStart, modelEnd);
                        highWatermark = Math.Min(highWatermark, log.LogEndOffset);
                        break;
                    }
                case < 80:
                    {
                        var target = random.NextInt64(0, 1000);
                        log.TruncateFullyAndStartAt(target);
                        model.Clear();
                        logStart = highWatermark = logEndAfterFullTruncate = target;
                        break;
                    }
                case < 88:
                    {
                        log.UpdateHighWatermark(log.LogEndOffset);
                        highWatermark = log.LogEndOffset;
                        var target = random.NextInt64(log.LogStartOffset, highWatermark + 1);
                        log.DeleteRecordsBefore(target);
                        logStart = Math.Max(logStart, target);
                        break;
                    }
                case < 93:
                    f.Manager.RunRetention();
                    break;
                default:
                    if (op % 2 == 0)
                    {
                        f.Manager.CheckpointAll();
                    }
                    f.Restart(clean: op % 2 == 1);
                    break;
            }
            log = f.Log;
            trace.Add($"{op}: [{string.Join(",", log.SegmentBaseOffsets)}] leo {log.LogEndOffset} lso {log.LogStartOffset}");
            if (model.Count > 0)
            {
                logEndAfterFullTruncate = -1;
            }
            var expectedEnd = model.Count > 0 ? model[^1].LastOffset + 1 : logEndAfterFullTruncate >= 0 ? logEndAfterFullTruncate : log.LogEndOffset;
            Assert.True(expectedEnd == log.LogEndOffset, $"step {step} op {op}: log end {log.LogEndOffset}, model {expectedEnd}\n{string.Join("\n", trace)}");
            Assert.True(Math.Min(logStart, log.LogEndOffset) == log.LogStartOffset, $"step {step} op {op}: log start {log.LogStartOffset}, model {logStart}\n{string.Join("\n", trace)}");
            // A full read from the log start returns exactly the model's batches from the one holding it.
            var offset2 = log.LogStartOffset;
            var index = model.FindIndex(b => b.LastOffset >= offset2);
            while (offset2 < log.LogEndOffset)
            {
                var bytes = log.Read(offset2, 4096).Region.ToArray();
                var p = 0;
                while (p < bytes.Length)
                {
                    Assert.True(bytes.AsSpan(p, model[index].Bytes.Length).SequenceEqual(model[index].Bytes));
                    Assert.True(RecordBatch.IsCrcValid(model[index].Bytes));
                    p += model[index].Bytes.Length;
                    offset2 = model[index].LastOffset + 1;
                    index++;
                }
            }
        }
    }
}
