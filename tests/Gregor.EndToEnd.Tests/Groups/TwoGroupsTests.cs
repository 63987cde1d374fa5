using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Groups.Members;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>Two groups on one topic each consume every record, each at its own pace: one group
/// reading everything neither waits for nor moves the other, whose offsets stay where it left them.</summary>
public sealed class TwoGroupsTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_groups_each_consume_every_record_independently()
    {
        var bootstrap = fixture.Broker.BootstrapServers;
        var topic = $"two-groups-{Guid.NewGuid():N}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 3, ReplicationFactor = 1 }]);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            for (var i = 0; i < 3000; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 3), new Message<Null, string> { Value = $"{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        ConsumerConfig Config(string group) => new()
        {
            BootstrapServers = bootstrap,
            GroupId = $"{group}-{topic}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
        };

        // The slow group reads 300 records and commits them, then stops consuming.
        var slowValues = new List<string>();
        using (var slow = new ConsumerBuilder<Null, string>(Config("slow")).Build())
        {
            slow.Subscribe(topic);
            var deadline = DateTime.UtcNow + Patience;
            while (slowValues.Count < 300 && DateTime.UtcNow < deadline)
            {
                var result = slow.Consume(TimeSpan.FromMilliseconds(100));
                if (result is not null)
                {
                    slowValues.Add(result.Message.Value);
                    slow.Commit(result);
                }
            }
            Assert.Equal(300, slowValues.Count);
            slow.Close();
        }
        var slowCommitted = await CommittedAsync(admin, "slow", topic);

        // The fast group, with two members, reads every record meanwhile; the slow group's offsets do not move.
        var fastRecords = new ConcurrentQueue<ConsumedRecord>();
        await using (var f1 = GroupMember.Start("f1", Config("fast"), topic, fastRecords))
        await using (var f2 = GroupMember.Start("f2", Config("fast"), topic, fastRecords))
        {
            await Eventually.WaitAsync(() => fastRecords.Count >= 3000 && f1.AllCommitted && f2.AllCommitted, Patience, () => $"{fastRecords.Count} of 3000");
        }
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => $"{i}").Order(), fastRecords.Select(r => r.Value).Order());
        Assert.Equal(new long[] { 1000, 1000, 1000 }, await CommittedAsync(admin, "fast", topic));
        Assert.Equal(slowCommitted, await CommittedAsync(admin, "slow", topic));
        Assert.Equal(300, slowCommitted.Sum());

        // The slow group resumes where it stopped and reads the rest: every record once.
        var rest = new ConcurrentQueue<ConsumedRecord>();
        await using (var s = GroupMember.Start("s", Config("slow"), topic, rest))
        {
            await Eventually.WaitAsync(() => rest.Count >= 2700 && s.AllCommitted, Patience, () => $"{rest.Count} of 2700");
        }
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => $"{i}").Order(), slowValues.Concat(rest.Select(r => r.Value)).Order());
        Assert.Equal(new long[] { 1000, 1000, 1000 }, await CommittedAsync(admin, "slow", topic));
    }

    private static async Task<long[]> CommittedAsync(IAdminClient admin, string group, string topic)
    {
        var result = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions($"{group}-{topic}", Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)).ToList())]);
        return [.. result.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => Math.Max(0, p.Offset.Value))];
    }
}
