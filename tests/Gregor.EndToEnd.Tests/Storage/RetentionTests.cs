using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>
/// Retention as the broker runs it: the background check (log.retention.check.interval.ms) deletes
/// whole closed segments beyond retention.bytes or older than retention.ms, per partition, never
/// the active segment, and the log start offset moves with them.
/// </summary>
public sealed class RetentionTests
{
    private static List<string> Segments(BrokerProcess broker, string topic) =>
        Directory.GetFiles(Path.Combine(broker.LogDir, $"{topic}-0"), "*.log").Select(Path.GetFileName).OfType<string>().Order().ToList();

    private static async Task ProduceAsync(BrokerProcess broker, string topic, int count, DateTime timestamp)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 0 }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = new byte[400], Timestamp = new Timestamp(timestamp) });
        }
    }

    private static async Task<long> WaitForLowWatermarkAsync(BrokerProcess broker, string topic, Func<long, bool> condition)
    {
        using var consumer = new ConsumerBuilder<Null, byte[]>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "retention" }).Build();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long low;
        do
        {
            low = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).Low.Value;
            if (condition(low))
            {
                return low;
            }
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return low;
    }

    private static async Task CreateAsync(BrokerProcess broker, string topic, Dictionary<string, string> configs)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = configs }]);
    }

    [Fact]
    public async Task Retention_bytes_deletes_the_oldest_segments_but_never_the_active_one()
    {
        await using var broker = await BrokerProcess.StartAsync(["log.retention.check.interval.ms=300"]);
        await CreateAsync(broker, "by-bytes", new() { ["segment.bytes"] = "2048", ["retention.bytes"] = "4096" });
        await ProduceAsync(broker, "by-bytes", 40, DateTime.UtcNow);
        var low = await WaitForLowWatermarkAsync(broker, "by-bytes", l => l > 20);
        Assert.True(low > 20, $"log start offset {low}");
        var segments = Segments(broker, "by-bytes");
        Assert.InRange(segments.Count, 1, 4);
        // The segment holding the newest record (offset 39) is still there: the active one.
        Assert.True(long.Parse(segments[^1][..20], System.Globalization.CultureInfo.InvariantCulture) <= 39);
    }

    [Fact]
    public async Task Retention_ms_deletes_segments_whose_records_are_all_older()
    {
        await using var broker = await BrokerProcess.StartAsync(["log.retention.check.interval.ms=300"]);
        await CreateAsync(broker, "by-time", new() { ["segment.bytes"] = "2048", ["retention.ms"] = "60000" });
        await ProduceAsync(broker, "by-time", 20, DateTime.UtcNow.AddHours(-2));
        await ProduceAsync(broker, "by-time", 3, DateTime.UtcNow);
        var low = await WaitForLowWatermarkAsync(broker, "by-time", l => l >= 20);
        Assert.InRange(low, 20, 22);
        using var consumer = new ConsumerBuilder<Null, byte[]>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "retention" }).Build();
        Assert.Equal(23, consumer.QueryWatermarkOffsets(new TopicPartition("by-time", 0), TimeSpan.FromSeconds(10)).High.Value);
    }
}
