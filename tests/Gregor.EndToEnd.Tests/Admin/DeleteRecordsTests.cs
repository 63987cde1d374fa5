using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>DeleteRecords moves a partition's low watermark, as consumers see it.</summary>
public sealed class DeleteRecordsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    private WatermarkOffsets Watermarks(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "wm-" + Guid.NewGuid().ToString("N") }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Moves_the_low_watermark_and_minus_one_means_the_high_watermark()
    {
        var topic = AdminClients.NewTopicName("delrec");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1);
        await AdminClients.ProduceAsync(Bootstrap, topic, 10);
        using var admin = AdminClients.Create(Bootstrap);

        var result = await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 4)]);
        Assert.Equal(4, Assert.Single(result).Offset.Value);
        var watermarks = Watermarks(topic);
        Assert.Equal(4, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);

        var all = await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, Offset.End)]);
        Assert.Equal(10, Assert.Single(all).Offset.Value);
        Assert.Equal(10, Watermarks(topic).Low.Value);
    }

    [Fact]
    public async Task Beyond_the_high_watermark_is_offset_out_of_range()
    {
        var topic = AdminClients.NewTopicName("delrec-oor");
        await AdminClients.CreateTopicAsync(Bootstrap, topic, 1);
        await AdminClients.ProduceAsync(Bootstrap, topic, 3);
        using var admin = AdminClients.Create(Bootstrap);

        var e = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 4)]));

        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Single(e.Results).Error.Code);
        Assert.Equal(0, Watermarks(topic).Low.Value);
    }
}
