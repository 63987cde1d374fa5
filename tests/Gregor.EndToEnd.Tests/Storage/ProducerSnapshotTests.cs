using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>
/// A clean shutdown snapshots every partition's producer state at its log end, so the next start
/// reads the snapshot instead of scanning the partition's whole log (which it did for partitions
/// that had never seen an idempotent producer).
/// </summary>
public sealed class ProducerSnapshotTests
{
    [Fact]
    public async Task A_clean_restart_does_not_rescan_the_log()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-snapshot-").FullName;
        try
        {
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
                for (var i = 0; i < 100; i++)
                {
                    producer.Produce("snapshotted", new Message<Null, string> { Value = $"v{i}" });
                }
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
                Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
            }
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(logDir, "snapshotted-0"), "*.snapshot"));
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                Assert.DoesNotContain(broker.Output, line => line.Contains("Rebuilt producer state of snapshotted-0", StringComparison.Ordinal));
                using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "snap" }).Build();
                Assert.Equal(100, consumer.QueryWatermarkOffsets(new TopicPartition("snapshotted", 0), TimeSpan.FromSeconds(10)).High.Value);
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }
}
