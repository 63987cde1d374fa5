using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>librdkafka consumers in a group share a topic's partitions, commit, and the admin client sees it.</summary>
public sealed class ConsumerGroupTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Theory]
    [InlineData("range")]
    [InlineData("roundrobin")]
    [InlineData("cooperative-sticky")]
    public async Task Two_consumers_split_the_partitions_and_commit(string assignor)
    {
        var topic = $"cg-{assignor}-{Guid.NewGuid():N}";
        var group = $"group-{assignor}-{Guid.NewGuid():N}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build())
        {
            for (var i = 0; i < 40; i++)
            {
                producer.Produce(new TopicPartition(topic, new Partition(i % 4)), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        ConsumerConfig Config(string instance) => new()
        {
            BootstrapServers = Bootstrap,
            GroupId = group,
            ClientId = instance,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            PartitionAssignmentStrategy = assignor switch
            {
                "range" => PartitionAssignmentStrategy.Range,
                "roundrobin" => PartitionAssignmentStrategy.RoundRobin,
                _ => PartitionAssignmentStrategy.CooperativeSticky,
            },
            SessionTimeoutMs = 10000,
            HeartbeatIntervalMs = 500,
        };
        using var c1 = new ConsumerBuilder<string, string>(Config("c1")).Build();
        using var c2 = new ConsumerBuilder<string, string>(Config("c2")).Build();
        c1.Subscribe(topic);
        c2.Subscribe(topic);

        // A commit sent with the generation a rebalance has just ended is refused (ILLEGAL_GENERATION,
        // REBALANCE_IN_PROGRESS), as Kafka refuses it: the consumer commits it again while it still
        // owns the partition, and a partition that moved is read again by its new owner from the
        // last commit that stood.
        var seen = new Dictionary<string, string>();
        var committedUpTo = new Dictionary<TopicPartition, long>();
        var pending = new Dictionary<(string Consumer, TopicPartition Partition), TopicPartitionOffset>();
        void Commit(IConsumer<string, string> consumer, string name, TopicPartitionOffset next)
        {
            try
            {
                consumer.Commit([next]);
                committedUpTo[next.TopicPartition] = Math.Max(committedUpTo.GetValueOrDefault(next.TopicPartition), next.Offset.Value);
                pending.Remove((name, next.TopicPartition));
            }
            catch (KafkaException e) when (e.Error.Code is ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress or ErrorCode.UnknownMemberId)
            {
                pending[(name, next.TopicPartition)] = next;
            }
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && (seen.Count < 40 || committedUpTo.Count(c => c.Value == 10) < 4
            || c1.Assignment.Count == 0 || c2.Assignment.Count == 0 || c1.Assignment.Count + c2.Assignment.Count != 4))
        {
            foreach (var (consumer, name) in new[] { (c1, "c1"), (c2, "c2") })
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result is not null && !result.IsPartitionEOF)
                {
                    seen[result.Message.Key] = name;
                    Commit(consumer, name, new TopicPartitionOffset(result.TopicPartition, result.Offset + 1));
                }
                foreach (var ((owner, partition), next) in pending.ToList())
                {
                    if (owner != name)
                    {
                        continue;
                    }
                    if (consumer.Assignment.Contains(partition))
                    {
                        Commit(consumer, name, next);
                    }
                    else
                    {
                        pending.Remove((owner, partition));
                    }
                }
            }
        }
        Assert.Equal(40, seen.Count);
        Assert.Equal(4, c1.Assignment.Count + c2.Assignment.Count);
        Assert.NotEmpty(c1.Assignment);
        Assert.NotEmpty(c2.Assignment);
        Assert.Empty(c1.Assignment.Intersect(c2.Assignment));

        var description = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
        Assert.Equal(ConsumerGroupState.Stable, description.State);
        Assert.Equal(assignor, description.PartitionAssignor);
        Assert.Equal(2, description.Members.Count);
        Assert.Equal(4, description.Members.Sum(m => m.Assignment.TopicPartitions.Count));

        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, new Partition(p))).ToList())]);
        // Each partition holds 10 records and the last consumed one (offset 9) was committed as 10.
        Assert.All(committed.Single().Partitions, p => Assert.Equal(10, p.Offset.Value));

        c1.Close();
        c2.Close();
        var listed = await admin.ListConsumerGroupsAsync();
        Assert.Contains(listed.Valid, g => g.GroupId == group && g.State == ConsumerGroupState.Empty);
        await admin.DeleteGroupsAsync([group]);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == group);
    }
}
