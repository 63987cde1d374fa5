using System.Text;
using Gregor.Protocol.Records;
using Gregor.Storage.Tools;

namespace Gregor.Storage.Tests.Log;

public class DumpLogTests
{
    private static (string Log, string Index, string TimeIndex) BuildSegment(LogFixture f)
    {
        var log = f.Log;
        for (var i = 0; i < 200; i++)
        {
            var builder = new RecordBatchBuilder(i % 2 == 0 ? CompressionType.None : CompressionType.Gzip) { ProducerId = 7, ProducerEpoch = 1, BaseSequence = i };
            builder.Append(5000 + i, Encoding.UTF8.GetBytes($"key{i}"), Encoding.UTF8.GetBytes(new string('v', 100)), [new RecordHeader("trace", [1])]);
            log.Append(builder.Build(), 3);
        }
        var dir = f.PartitionDir;
        f.Manager.Shutdown();
        var prefix = Path.Combine(dir, new string('0', 20));
        return (prefix + ".log", prefix + ".index", prefix + ".timeindex");
    }

    [Fact]
    public void PrintsBatchesRecordsAndIndexEntries()
    {
        using var f = new LogFixture(new LogConfig { IndexIntervalBytes = 500 });
        var (log, index, timeIndex) = BuildSegment(f);
        var output = new StringWriter();
        var code = DumpLog.Run(new DumpLogOptions { Files = [log, index, timeIndex], PrintDataLog = true }, output);
        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("baseOffset: 0 lastOffset: 0 count: 1 position: 0 size: ", text);
        Assert.Contains("magic: 2 crc: ", text);
        Assert.Contains("isValid: true compressCodec: none producerId: 7 producerEpoch: 1 baseSequence: 0 partitionLeaderEpoch: 3", text);
        Assert.Contains("compressCodec: gzip", text);
        Assert.Contains("baseTimestamp: 5199 maxTimestamp: 5199", text);
        Assert.Contains("| offset: 199 timestamp: 5199 size: ", text);
        Assert.Contains("keyLength: 4 key: key7 valueLength: 100 value: vvvv", text);
        Assert.Contains("headers: [trace=0x01]", text);
        Assert.Equal(200, text.Split('\n').Count(l => l.StartsWith("baseOffset: ")));
        Assert.Contains("offset: ", text.Split("Dumping")[2]);
        Assert.Contains("position: ", text.Split("Dumping")[2]);
        Assert.Contains("timestamp: ", text.Split("Dumping")[3]);
        Assert.Contains($"{index} passed sanity check.", text);
        Assert.Contains($"{timeIndex} passed sanity check.", text);
        Assert.DoesNotContain("MISMATCH", text);
    }

    [Fact]
    public void SanityCheckReportsACorruptedIndexAndACorruptBatch()
    {
        using var f = new LogFixture(new LogConfig { IndexIntervalBytes = 500 });
        var (log, index, _) = BuildSegment(f);
        var bytes = File.ReadAllBytes(index);
        Assert.True(bytes.Length >= 24);
        bytes[12] ^= 0x01; // second entry's position no longer points at a batch
        File.WriteAllBytes(index, bytes);
        var output = new StringWriter();
        Assert.Equal(1, DumpLog.Run(new DumpLogOptions { Files = [index], IndexSanityCheck = true }, output));
        Assert.Contains($"{index} failed sanity check", output.ToString());
        Assert.Contains("entry 1", output.ToString());
        Assert.DoesNotContain("offset: ", output.ToString().Split('\n')[1]);

        var logBytes = File.ReadAllBytes(log);
        logBytes[100] ^= 0xFF;
        File.WriteAllBytes(log, logBytes);
        output = new StringWriter();
        Assert.Equal(1, DumpLog.Run(new DumpLogOptions { Files = [log] }, output));
        Assert.Contains("isValid: false", output.ToString());
    }
}
