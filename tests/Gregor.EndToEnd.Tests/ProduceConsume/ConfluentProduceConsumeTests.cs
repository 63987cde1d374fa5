using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume;

/// <summary>Data moves through the broker with librdkafka (Confluent.Kafka), in every codec, and comes back intact and in order.</summary>
public sealed class ConfluentProduceConsumeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    private async Task CreateTopicAsync(string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    private List<ConsumeResult<string, string>> ConsumeAll(string topic, int expected, TimeSpan timeout, Action<ConsumerConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "g-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        configure?.Invoke(config);
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        var partitions = Enumerable.Range(0, 64).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning));
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        var count = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count;
        consumer.Assign(partitions.Take(count));
        var results = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow + timeout;
        while (results.Count < expected && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is not null && !result.IsPartitionEOF)
            {
                results.Add(result);
            }
        }
        return results;
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Records_come_back_intact_in_order(CompressionType codec)
    {
        var topic = $"cp-{codec}-{Guid.NewGuid():N}".ToLowerInvariant();
        await CreateTopicAsync(topic, 1);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = Bootstrap,
            CompressionType = codec,
            LingerMs = 5,
            Acks = Acks.Leader,
        }).Build())
        {
            for (var i = 0; i < 2000; i++)
            {
                producer.Produce(topic, new Message<string, string>
                {
                    Key = $"k{i}",
                    Value = $"value-{i}-" + new string((char)('a' + (i % 26)), i % 100),
                    Headers = new Headers { { "h", [(byte)i] } },
                });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        var consumed = ConsumeAll(topic, 2000, TimeSpan.FromSeconds(30));
        Assert.Equal(2000, consumed.Count);
        for (var i = 0; i < 2000; i++)
        {
            Assert.Equal(i, consumed[i].Offset.Value);
            Assert.Equal($"k{i}", consumed[i].Message.Key);
            Assert.Equal($"value-{i}-" + new string((char)('a' + (i % 26)), i % 100), consumed[i].Message.Value);
            Assert.Equal([(byte)i], consumed[i].Message.Headers.GetLastBytes("h"));
        }
    }

    [Fact]
    public async Task Acks_all_returns_offsets_in_order()
    {
        var topic = $"acks-all-{Guid.NewGuid():N}";
        await CreateTopicAsync(topic, 3);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap, Acks = Acks.All }).Build();
        var offsets = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            var report = await producer.ProduceAsync(new TopicPartition(topic, 1), new Message<Null, string> { Value = $"m{i}" });
            Assert.Equal(PersistenceStatus.Persisted, report.Status);
            offsets.Add(report.Offset.Value);
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), offsets);
    }

    [Fact]
    public async Task Watermarks_and_offsets_for_times()
    {
        var topic = $"wm-{Guid.NewGuid():N}";
        await CreateTopicAsync(topic, 1);
        var start = DateTime.UtcNow.AddMinutes(-10);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"m{i}", Timestamp = new Timestamp(start.AddMinutes(i)) });
            }
        }
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "wm" }).Build();
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);
        var found = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(start.AddMinutes(4).AddSeconds(30)))], TimeSpan.FromSeconds(10));
        Assert.Equal(5, Assert.Single(found).Offset.Value);
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_auto_creates_it()
    {
        var topic = $"auto-{Guid.NewGuid():N}";
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        var report = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "hello" });
        Assert.Equal(0, report.Offset.Value);
        Assert.True(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-0")));
    }

    [Fact]
    public async Task A_consumer_waiting_at_the_end_gets_new_records_promptly()
    {
        var topic = $"longpoll-{Guid.NewGuid():N}";
        await CreateTopicAsync(topic, 1);
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "lp",
            FetchWaitMaxMs = 5000,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        Assert.Null(consumer.Consume(TimeSpan.FromSeconds(1)));
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        var sent = DateTime.UtcNow;
        await producer.ProduceAsync(topic, new Message<Null, string> { Value = "wake up" });
        var result = consumer.Consume(TimeSpan.FromSeconds(10));
        Assert.NotNull(result);
        Assert.Equal("wake up", result.Message.Value);
        // A parked fetch is woken by the append, not by its 5 s max wait.
        Assert.True(DateTime.UtcNow - sent < TimeSpan.FromSeconds(3), $"took {DateTime.UtcNow - sent}");
    }
}
