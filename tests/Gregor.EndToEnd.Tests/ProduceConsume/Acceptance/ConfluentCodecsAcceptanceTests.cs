using System.Collections.Concurrent;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 1: librdkafka produces 100,000 keyed records to a 4-partition topic in each codec and
/// reads every one back with the same key, value, headers and timestamp, in per-partition order, from
/// the partition librdkafka's partitioner chose (the delivery report's partition and offset).
/// </summary>
public sealed class ConfluentCodecsAcceptanceTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const int Count = 100_000;
    private const int Partitions = 4;

    private static string Value(int i) => $"value-{i}-" + new string((char)('a' + (i % 26)), i % 50);

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Hundred_thousand_keyed_records_round_trip(CompressionType codec)
    {
        var topic = $"accept-{codec}-{Guid.NewGuid():N}".ToLowerInvariant();
        await Raw.CreateTopicAsync(fixture.Broker.Port, topic, Partitions);
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        var delivered = new ConcurrentDictionary<int, TopicPartitionOffset>();
        var errors = new ConcurrentQueue<string>();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            CompressionType = codec,
            LingerMs = 10,
            Acks = Acks.All,
        }).Build())
        {
            for (var i = 0; i < Count; i++)
            {
                var n = i;
                var message = new Message<string, string>
                {
                    Key = $"key-{i}",
                    Value = Value(i),
                    Timestamp = new Timestamp(start + i, TimestampType.CreateTime),
                    Headers = new Headers { { "n", BitConverter.GetBytes(i) }, { "codec", [(byte)codec] } },
                };
                producer.Produce(topic, message, report =>
                {
                    if (report.Error.IsError)
                    {
                        errors.Enqueue(report.Error.Reason);
                    }
                    delivered[n] = report.TopicPartitionOffset;
                });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
            Delivery.WaitForReports(() => delivered.Count, Count);
        }
        Assert.Empty(errors);
        Assert.Equal(Count, delivered.Count);
        // librdkafka's default partitioner (consistent_random on the key) spreads keys over all partitions.
        Assert.Equal(Partitions, delivered.Values.Select(d => d.Partition.Value).Distinct().Count());

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            GroupId = "accept-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var lastIndex = new int[Partitions];
        var lastOffset = new long[Partitions];
        Array.Fill(lastIndex, -1);
        Array.Fill(lastOffset, -1);
        var seen = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (seen < Count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }
            var i = BitConverter.ToInt32(result.Message.Headers.GetLastBytes("n"));
            var p = result.Partition.Value;
            Assert.Equal($"key-{i}", result.Message.Key);
            Assert.Equal(Value(i), result.Message.Value);
            Assert.Equal([(byte)codec], result.Message.Headers.GetLastBytes("codec"));
            Assert.Equal(start + i, result.Message.Timestamp.UnixTimestampMs);
            Assert.Equal(TimestampType.CreateTime, result.Message.Timestamp.Type);
            Assert.Equal(delivered[i].Partition.Value, p);
            Assert.Equal(delivered[i].Offset.Value, result.Offset.Value);
            // Per partition, records come back in the order they were produced, offsets without gaps.
            Assert.True(i > lastIndex[p], $"partition {p}: record {i} after {lastIndex[p]}");
            Assert.Equal(lastOffset[p] + 1, result.Offset.Value);
            lastIndex[p] = i;
            lastOffset[p] = result.Offset.Value;
            seen++;
        }
        Assert.Equal(Count, seen);
    }
}
