using Gregor.Protocol.Records;
using Gregor.Storage.Checkpoints;

namespace Gregor.Storage.Tests.Log;

/// <summary>
/// One flipped byte inside a batch of the third of six segments, with and without that segment's
/// indexes, after a clean stop and after a crash with the recovery point before or after the
/// damaged segment. The records lost must be exactly those Kafka 3.9's LogLoader loses:
/// <list type="bullet">
/// <item>a segment whose offset index is missing (or, for a segment that is not recovered anyway,
/// whose indexes fail their checks) is rebuilt on every start; a cut there loses the rest of that
/// segment only, later segments stay;</item>
/// <item>after a crash, the segments from the one holding the recovery point on are scanned; the
/// first one cut ends the log and every later segment is deleted;</item>
/// <item>otherwise nothing is scanned and nothing is lost.</item>
/// </list>
/// </summary>
public sealed class MiddleSegmentCorruptionTests
{
    private const int DamagedSegment = 2;

    private sealed record Batch(long Position, long BaseOffset, long LastOffset);

    private static List<Batch> BatchesOf(string logFile)
    {
        var bytes = File.ReadAllBytes(logFile);
        var result = new List<Batch>();
        var position = 0;
        while (position < bytes.Length)
        {
            var span = bytes.AsSpan(position);
            result.Add(new Batch(position, RecordBatch.BaseOffset(span), RecordBatch.LastOffset(span)));
            position += RecordBatch.SizeInBytes(span);
        }
        return result;
    }

    /// <param name="clean">Stopped cleanly (else as a killed process: no checkpoints, no marker).</param>
    /// <param name="deleteIndexes">The damaged segment's .index and .timeindex are removed while down.</param>
    /// <param name="recoveryPointSegment">After a crash: the recovery point checkpoint names this segment's base offset (null: no entry, recovery from 0).</param>
    [Theory]
    [InlineData(true, false, null)]
    [InlineData(true, true, null)]
    [InlineData(false, false, null)]
    [InlineData(false, true, null)]
    [InlineData(false, false, 1)]
    [InlineData(false, false, 2)]
    [InlineData(false, true, 1)]
    [InlineData(false, false, 4)]
    [InlineData(false, true, 4)]
    public void Records_lost_are_exactly_those_Kafka_loses(bool clean, bool deleteIndexes, int? recoveryPointSegment)
    {
        using var f = new LogFixture(new LogConfig { SegmentBytes = 4096, IndexIntervalBytes = 256 });
        var log = f.Log;
        var i = 0;
        while (log.SegmentCount < 6 || i % 7 != 0)
        {
            log.Append(Batches.Make(10, 20, 1000 + i, seed: i), 0);
            i++;
        }
        var logEnd = log.LogEndOffset;
        var bases = log.SegmentBaseOffsets.ToList();
        Assert.Equal(6, bases.Count);
        var dir = log.Directory;
        var damagedFile = LogFileNames.LogFile(dir, bases[DamagedSegment]);
        var batches = BatchesOf(damagedFile);
        var hit = batches[batches.Count / 2];
        f.Restart(clean, () =>
        {
            using (var file = new FileStream(damagedFile, FileMode.Open, FileAccess.ReadWrite))
            {
                // A byte of the records, past the header: only the CRC can tell.
                file.Position = hit.Position + RecordBatch.HeaderSize + 5;
                var b = file.ReadByte();
                file.Position--;
                file.WriteByte((byte)(b ^ 0xFF));
            }
            if (deleteIndexes)
            {
                File.Delete(LogFileNames.IndexFile(dir, bases[DamagedSegment]));
                File.Delete(LogFileNames.TimeIndexFile(dir, bases[DamagedSegment]));
            }
            if (recoveryPointSegment is { } k)
            {
                new OffsetCheckpointFile(Path.Combine(f.Dirs[0], LogFileNames.RecoveryPointCheckpointFile))
                    .Write([KeyValuePair.Create(LogFixture.Tp, bases[k])]);
            }
        });

        var recoveryPoint = recoveryPointSegment is { } rp ? bases[rp] : 0;
        // Kafka scans a segment after a crash when it holds the recovery point or comes after it.
        var scannedAfterCrash = !clean && bases[DamagedSegment + 1] > recoveryPoint;
        var (cut, laterDeleted) = (deleteIndexes, scannedAfterCrash) switch
        {
            (true, _) => (true, false),
            (false, true) => (true, true),
            _ => (false, false),
        };
        var expected = Enumerable.Range(0, (int)logEnd).Select(o => (long)o)
            .Where(o => !cut || o < hit.BaseOffset || (!laterDeleted && o >= bases[DamagedSegment + 1]))
            .ToList();

        log = f.Log;
        var offsets = new List<long>();
        LogScanner.ScanBatches(log, 0, batch =>
        {
            Assert.True(RecordBatch.IsCrcValid(batch) || !cut);
            for (var o = RecordBatch.BaseOffset(batch); o <= RecordBatch.LastOffset(batch); o++)
            {
                offsets.Add(o);
            }
        });
        Assert.Equal(expected, offsets);
        Assert.Equal(laterDeleted ? hit.BaseOffset : logEnd, log.LogEndOffset);
        Assert.Equal(laterDeleted ? bases.Take(DamagedSegment + 1) : bases, log.SegmentBaseOffsets);
        var cutLines = f.Logs.Messages.Where(m => m.Contains("cut at position", StringComparison.Ordinal)).ToList();
        if (cut)
        {
            var line = Assert.Single(cutLines);
            Assert.Contains($"{damagedFile} cut at position {hit.Position}", line);
            Assert.Contains("CRC", line);
        }
        else
        {
            Assert.Empty(cutLines);
        }
        Assert.Equal(laterDeleted ? 3 : 0, f.Logs.Messages.Count(m => m.Contains("dropping segment", StringComparison.Ordinal)));

        // The recovered log is stable: a clean restart loses nothing more, and appends continue at the log end.
        f.Restart();
        log = f.Log;
        Assert.Equal(laterDeleted ? hit.BaseOffset : logEnd, log.LogEndOffset);
        Assert.Equal(log.LogEndOffset, log.Append(Batches.Make(1, 5, 1), 0).FirstOffset);
    }
}
