using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Issue item 7: topics, partition counts (also after growing), topic ids, topic configs and
/// deletions persist, and acknowledged records survive a restart, clean (SIGTERM) or kill -9;
/// appends continue at the right offsets afterwards.
/// </summary>
public sealed class RestartPersistenceTests
{
    private const int Count = 3000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static IAdminClient Admin(BrokerProcess broker) => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

    private static async Task<string> TopicIdAsync(IAdminClient admin, string topic) =>
        Assert.Single((await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions).TopicId.ToString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Metadata_and_data_survive_a_restart(bool kill)
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-restart-").FullName;
        try
        {
            string topicId;
            var delivered = new System.Collections.Concurrent.ConcurrentDictionary<int, TopicPartitionOffset>();
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var admin = Admin(broker);
                await admin.CreateTopicsAsync(
                [
                    new TopicSpecification { Name = "kept", NumPartitions = 2, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "123456789", ["cleanup.policy"] = "compact,delete" } },
                    new TopicSpecification { Name = "dropped", NumPartitions = 1, ReplicationFactor = 1 },
                ]);
                await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "kept", IncreaseTo = 3 }]);
                await admin.DeleteTopicsAsync(["dropped"]);
                topicId = await TopicIdAsync(admin, "kept");
                using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All, LingerMs = 2 }).Build();
                for (var i = 0; i < Count; i++)
                {
                    var n = i;
                    producer.Produce("kept", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, r => delivered[n] = r.TopicPartitionOffset);
                }
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
                Delivery.WaitForReports(() => delivered.Count, Count);
                if (kill)
                {
                    await broker.KillAsync();
                }
                else
                {
                    Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
                }
            }

            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var admin = Admin(broker);
                Assert.Equal(topicId, await TopicIdAsync(admin, "kept"));
                Assert.Equal(3, admin.GetMetadata("kept", Timeout).Topics[0].Partitions.Count);
                var configs = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "kept" }])).Entries;
                Assert.Equal("123456789", configs["retention.ms"].Value);
                Assert.Equal("compact,delete", configs["cleanup.policy"].Value);
                using var noAutoCreate = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers, AllowAutoCreateTopics = false }).Build();
                Assert.DoesNotContain(noAutoCreate.GetMetadata(Timeout).Topics, t => t.Topic == "dropped");
                Assert.False(Directory.Exists(Path.Combine(logDir, "dropped-0")));

                using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "restart", EnableAutoCommit = false }).Build();
                consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset("kept", p, Offset.Beginning)));
                var seen = 0;
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (seen < Count && DateTime.UtcNow < deadline)
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                    if (result is null)
                    {
                        continue;
                    }
                    var i = int.Parse(result.Message.Key[1..], System.Globalization.CultureInfo.InvariantCulture);
                    Assert.Equal($"v{i}", result.Message.Value);
                    Assert.Equal(delivered[i], result.TopicPartitionOffset);
                    seen++;
                }
                Assert.Equal(Count, seen);

                // Appends continue after the last acknowledged offset of each partition (keyed: the topic is compacted).
                using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
                foreach (var p in Enumerable.Range(0, 3))
                {
                    var next = delivered.Values.Where(d => d.Partition.Value == p).Max(d => d.Offset.Value) + 1;
                    var report = await producer.ProduceAsync(new TopicPartition("kept", p), new Message<string, string> { Key = "after", Value = "after restart" });
                    Assert.Equal(next, report.Offset.Value);
                }
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }
}
