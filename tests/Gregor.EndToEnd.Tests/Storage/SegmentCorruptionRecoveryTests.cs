using System.Buffers.Binary;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>
/// A broker writes 6,000 records into small segments and stops (cleanly, or killed with SIGKILL);
/// one byte of a record in the middle of the third segment is flipped, with and without that
/// segment's indexes; the broker starts again. The records lost must be those Kafka 3.9 loses:
/// <list type="bullet">
/// <item>indexes missing: the segment is rebuilt and cut at the damaged batch; every later segment
/// stays (LogLoader.loadSegmentFiles), whatever the kind of stop;</item>
/// <item>killed, indexes there: with no recovery point checkpointed for the partition every segment
/// is scanned, the damaged one is cut and all later segments are deleted (LogLoader.recoverLog);</item>
/// <item>clean stop, indexes there: nothing is scanned, nothing is lost.</item>
/// </list>
/// </summary>
public sealed class SegmentCorruptionRecoveryTests
{
    private const string Topic = "recovery";
    private const int Records = 6000;

    private sealed record Batch(int Position, int Size, long BaseOffset);

    private static List<Batch> BatchesOf(byte[] log)
    {
        var result = new List<Batch>();
        var position = 0;
        while (position + 12 <= log.Length)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(log.AsSpan(position + 8)) + 12;
            result.Add(new Batch(position, size, BinaryPrimitives.ReadInt64BigEndian(log.AsSpan(position))));
            position += size;
        }
        return result;
    }

    private static string ValueOf(long i) => $"value-{i:D8}-" + new string('x', 80);

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task A_flipped_byte_in_a_middle_segment_loses_exactly_what_Kafka_loses(bool cleanStop, bool deleteIndexes)
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-corrupt-").FullName;
        // No recovery point is checkpointed while the broker runs, so a crash recovers from offset 0.
        string[] overrides = ["log.flush.offset.checkpoint.interval.ms=3600000"];
        try
        {
            await using (var broker = await BrokerProcess.StartAsync(overrides, logDir))
            {
                using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
                {
                    await admin.CreateTopicsAsync([new TopicSpecification
                    {
                        Name = Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["segment.bytes"] = "110000" },
                    }]);
                }
                using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
                {
                    BootstrapServers = broker.BootstrapServers,
                    EnableIdempotence = true,
                    LingerMs = 5,
                    BatchNumMessages = 50,
                }).Build();
                for (var i = 0; i < Records; i++)
                {
                    producer.Produce(Topic, new Message<Null, string> { Value = ValueOf(i) });
                }
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
                if (cleanStop)
                {
                    Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(60)));
                }
                else
                {
                    await broker.KillAsync();
                }
            }

            var partitionDir = Path.Combine(logDir, $"{Topic}-0");
            var segments = Directory.GetFiles(partitionDir, "*.log").Order(StringComparer.Ordinal).ToList();
            Assert.True(segments.Count >= 4, $"{segments.Count} segments");
            var bases = segments.Select(s => long.Parse(Path.GetFileName(s)[..20], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            if (!cleanStop)
            {
                Assert.DoesNotContain($"{Topic} 0 ", await File.ReadAllTextAsync(Path.Combine(logDir, "recovery-point-offset-checkpoint")));
            }
            var damaged = segments[2];
            var bytes = await File.ReadAllBytesAsync(damaged);
            var batches = BatchesOf(bytes);
            var hit = batches[batches.Count / 2];
            // A digit of a record value: the batch still parses, only its CRC tells.
            var valueAt = bytes.AsSpan(hit.Position, hit.Size).IndexOf("value-"u8) + 8;
            bytes[hit.Position + valueAt] ^= 1;
            await File.WriteAllBytesAsync(damaged, bytes);
            if (deleteIndexes)
            {
                File.Delete(Path.ChangeExtension(damaged, ".index"));
                File.Delete(Path.ChangeExtension(damaged, ".timeindex"));
            }

            var (cut, laterDeleted) = (deleteIndexes, cleanStop) switch
            {
                (true, _) => (true, false),
                (false, false) => (true, true),
                (false, true) => (false, false),
            };
            var expected = Enumerable.Range(0, Records).Select(o => (long)o)
                .Where(o => !cut || o < hit.BaseOffset || (!laterDeleted && o >= bases[3]))
                .ToList();

            await using (var broker = await BrokerProcess.StartAsync(overrides, logDir))
            {
                using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig
                {
                    BootstrapServers = broker.BootstrapServers,
                    GroupId = "recovery-check",
                    EnableAutoCommit = false,
                    EnablePartitionEof = true,
                }).Build();
                var tp = new TopicPartition(Topic, 0);
                var high = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30)).High.Value;
                Assert.Equal(laterDeleted ? hit.BaseOffset : Records, high);
                consumer.Assign(new TopicPartitionOffset(tp, 0));
                var consumed = new List<long>();
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    var result = consumer.Consume(TimeSpan.FromSeconds(1));
                    if (result is null)
                    {
                        continue;
                    }
                    if (result.IsPartitionEOF)
                    {
                        break;
                    }
                    consumed.Add(result.Offset.Value);
                    if (cut)
                    {
                        Assert.Equal(ValueOf(result.Offset.Value), result.Message.Value);
                    }
                }
                Assert.Equal(expected, consumed);

                var cutLines = broker.Output.Where(l => l.Contains("cut at position", StringComparison.Ordinal)).ToList();
                if (cut)
                {
                    var line = Assert.Single(cutLines);
                    Assert.Contains($"{damaged} cut at position {hit.Position}", line);
                }
                else
                {
                    Assert.Empty(cutLines);
                }
                var left = Directory.GetFiles(partitionDir, "*.log").Order(StringComparer.Ordinal).ToList();
                Assert.Equal(laterDeleted ? segments.Take(3) : segments, left);
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }
}
