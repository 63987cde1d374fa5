using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Groups.Members;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// Static membership (KIP-345) with Confluent.Kafka: a member with group.instance.id that closes
/// (static members send no LeaveGroup) and comes back within its session timeout gets its old
/// partitions back without a rebalance: the other member's callbacks never fire.
/// </summary>
public sealed class StaticMembershipTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_restarted_static_member_keeps_its_partitions_without_a_rebalance()
    {
        var bootstrap = fixture.Broker.BootstrapServers;
        var topic = $"static-{Guid.NewGuid():N}";
        var group = $"static-{Guid.NewGuid():N}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        ConsumerConfig Config(string instance) => new()
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            GroupInstanceId = instance,
            ClientId = instance,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 20000,
            HeartbeatIntervalMs = 300,
            MaxPollIntervalMs = 20000,
        };
        var consumed = new ConcurrentQueue<ConsumedRecord>();
        await using var a = GroupMember.Start("a", Config("a"), topic, consumed);
        await using var b = GroupMember.Start("b", Config("b"), topic, consumed);
        await Eventually.WaitAsync(() => a.Assignment.Length == 2 && b.Assignment.Length == 2 && !a.Assignment.Intersect(b.Assignment).Any(), Patience,
            () => $"{a.Events}\n{b.Events}");
        var before = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
        var bEvents = b.Events;
        var aPartitions = a.Assignment;

        await a.CloseAsync();
        var restarted = DateTime.UtcNow;
        await using var a2 = GroupMember.Start("a2", Config("a"), topic, consumed);
        await Eventually.WaitAsync(() => a2.Assignment.Length > 0, Patience, () => $"{a2.Events}\n{b.Events}");

        // Back well within the 20 s session timeout, with the same partitions; b saw nothing.
        Assert.True(DateTime.UtcNow - restarted < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - restarted}");
        Assert.Equal(aPartitions, a2.Assignment);
        Assert.Equal(bEvents, b.Events);
        var after = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
        Assert.Equal(ConsumerGroupState.Stable, after.State);
        Assert.Equal(["a", "b"], after.Members.Select(m => m.GroupInstanceId).Order());
        // The coordinator gave the returning instance a new member id, and b kept its own.
        var memberIdOf = (ConsumerGroupDescription d, string instance) => d.Members.Single(m => m.GroupInstanceId == instance).ConsumerId;
        Assert.NotEqual(memberIdOf(before, "a"), memberIdOf(after, "a"));
        Assert.Equal(memberIdOf(before, "b"), memberIdOf(after, "b"));
        Assert.Equal(aPartitions, after.Members.Single(m => m.GroupInstanceId == "a").Assignment.TopicPartitions.Select(p => p.Partition.Value).Order());
    }
}
