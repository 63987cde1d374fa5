using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Groups.Members;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// Issue 5's first two acceptance points: three Confluent.Kafka members share a 6-partition topic,
/// each partition owned by exactly one member, 60,000 records consumed exactly once (commits after
/// processing); a member that closes hands its partitions over within the rebalance timeout; a
/// member in another process killed with SIGKILL is evicted after its session timeout and nothing
/// is lost: the only records read twice are the ones it had processed but not committed.
/// With cooperative-sticky, members only ever give up the partitions that move.
/// </summary>
public sealed class ThreeMemberGroupTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private const int Partitions = 6;
    private const int RebalanceTimeoutMs = 10000;
    private const int KilledSessionTimeoutMs = 3000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    public async Task Three_members_share_consume_once_survive_a_close_and_a_kill(string strategy)
    {
        var cooperative = strategy == "cooperative-sticky";
        var topic = $"three-{strategy}-{Guid.NewGuid():N}";
        var group = $"three-{strategy}-{Guid.NewGuid():N}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = Partitions, ReplicationFactor = 1 }]);
        Produce(topic, 0, 60000);

        var consumed = new ConcurrentQueue<ConsumedRecord>();
        ConsumerConfig Config(string name) => new()
        {
            BootstrapServers = Bootstrap,
            GroupId = group,
            ClientId = name,
            PartitionAssignmentStrategy = cooperative ? PartitionAssignmentStrategy.CooperativeSticky : PartitionAssignmentStrategy.Range,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
            MaxPollIntervalMs = RebalanceTimeoutMs,
        };

        // Two members first: three partitions each.
        await using var a = GroupMember.Start("a", Config("a"), topic, consumed);
        await using var b = GroupMember.Start("b", Config("b"), topic, consumed);
        await WaitForAssignmentAsync([a, b], [3, 3]);
        var revokedBefore = RevocationCounts(a, b);

        // A third member: every partition owned by exactly one member, two each. With
        // cooperative-sticky, a and b give up exactly the two partitions c gets, nothing more.
        await using var c = GroupMember.Start("c", Config("c"), topic, consumed);
        await WaitForAssignmentAsync([a, b, c], [2, 2, 2]);
        if (cooperative)
        {
            Assert.True(c.Assignment.SequenceEqual(RevokedSince(revokedBefore)), $"{a.Events}\n{b.Events}\n{c.Events}");
        }

        // 60,000 records, each consumed once across the group.
        await Eventually.WaitAsync(() => consumed.Count >= 60000 && a.AllCommitted && b.AllCommitted && c.AllCommitted, Patience,
            () => $"{consumed.Count} consumed");
        AssertEachOnce(consumed, Enumerable.Range(0, Partitions).ToDictionary(p => p, _ => 10000L));

        // c closes: its partitions move to a and b within the rebalance timeout; with
        // cooperative-sticky a and b revoke nothing.
        revokedBefore = RevocationCounts(a, b);
        var closing = DateTime.UtcNow;
        await c.CloseAsync();
        await WaitForAssignmentAsync([a, b], [3, 3]);
        Assert.True(DateTime.UtcNow - closing < TimeSpan.FromMilliseconds(RebalanceTimeoutMs), $"partitions moved after {DateTime.UtcNow - closing}");
        if (cooperative)
        {
            Assert.True(RevokedSince(revokedBefore).Length == 0, $"{a.Events}\n{b.Events}");
        }

        // A member in its own process joins and takes two partitions (with cooperative-sticky, one
        // from each of a and b, which keep the others).
        revokedBefore = RevocationCounts(a, b);
        await using var x = MemberProcess.Start("/usr/bin/python3", "group_member.py", Bootstrap, topic, group, strategy,
            KilledSessionTimeoutMs.ToString(CultureInfo.InvariantCulture), "64");
        await Eventually.WaitAsync(() => AssignmentOf(x).Length == 2 && a.Assignment.Length == 2 && b.Assignment.Length == 2
            && !a.Assignment.Intersect(b.Assignment).Concat(a.Assignment.Concat(b.Assignment).Intersect(AssignmentOf(x))).Any(), Patience,
            () => $"a [{string.Join(',', a.Assignment)}] b [{string.Join(',', b.Assignment)}] x [{string.Join(',', AssignmentOf(x))}]\n{x}");
        var xPartitions = AssignmentOf(x);
        if (cooperative)
        {
            Assert.True(xPartitions.SequenceEqual(RevokedSince(revokedBefore)), $"{a.Events}\n{b.Events}\nx: {x}");
        }

        // 6,000 more records; x processes every record of its partitions, committing every 64.
        Produce(topic, 60000, 6000);
        await Eventually.WaitAsync(() => xPartitions.All(p => x.LinesOf("record").Any(f => int.Parse(f[0], CultureInfo.InvariantCulture) == p && f[1] == "10999")), Patience,
            () => x.ToString());
        var xRecords = x.LinesOf("record").Select(f => (Partition: int.Parse(f[0], CultureInfo.InvariantCulture), Offset: long.Parse(f[1], CultureInfo.InvariantCulture))).ToList();
        var xCommitted = x.LinesOf("committed").GroupBy(f => int.Parse(f[0], CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Max(f => long.Parse(f[1], CultureInfo.InvariantCulture)));
        var uncommitted = xRecords.Where(r => r.Offset >= xCommitted.GetValueOrDefault(r.Partition, 0)).ToHashSet();
        Assert.NotEmpty(uncommitted);

        // kill -9: no LeaveGroup. x is evicted when its session times out, and a and b (which
        // revoke nothing with cooperative-sticky) take its partitions.
        revokedBefore = RevocationCounts(a, b);
        await x.KillAsync();
        var waited = await WaitForAssignmentAsync([a, b], [3, 3]);
        Assert.True(waited < TimeSpan.FromMilliseconds(KilledSessionTimeoutMs + RebalanceTimeoutMs), $"partitions moved after {waited}");
        if (cooperative)
        {
            Assert.True(RevokedSince(revokedBefore).Length == 0, $"{a.Events}\n{b.Events}");
        }
        var description = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
        Assert.Equal(["a", "b"], description.Members.Select(m => m.ClientId).Order());

        // Nothing lost: every record consumed; the only ones consumed twice are those x had
        // processed but not committed, which a or b read again from x's last commit.
        var end = Enumerable.Range(0, Partitions).ToDictionary(p => p, _ => 11000L);
        var xCommittedRecords = xRecords.Where(r => !uncommitted.Contains(r)).ToList();
        await Eventually.WaitAsync(() => Covered(consumed, xCommittedRecords) >= 66000 && a.AllCommitted && b.AllCommitted, Patience,
            () => $"{Covered(consumed, xCommittedRecords)} of 66000 consumed");
        var all = consumed.Select(r => (r.Partition, r.Offset)).Concat(xRecords).ToList();
        var twice = all.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        Assert.Empty(all.GroupBy(r => r).Where(g => g.Count() > 2).Select(g => g.Key));
        Assert.True(uncommitted.Order().SequenceEqual(twice.Order()), $"{a.Events}\n{b.Events}\nx: {x}\n" +
            string.Join('\n', consumed.Where(r => uncommitted.Contains((r.Partition, r.Offset)) || twice.Contains((r.Partition, r.Offset))).Take(20)));
        AssertEachOnce(consumed.Concat(xCommittedRecords.Select(r => new ConsumedRecord("x", r.Partition, r.Offset, ""))), end);
        if (!cooperative)
        {
            // Eager members commit in the revoke handler, before rejoining: never refused. Cooperative
            // members keep consuming through the rebalance, and (as with Kafka) a commit sent between the
            // join and the new assignment is refused with ILLEGAL_GENERATION or REBALANCE_IN_PROGRESS;
            // the member commits those offsets again afterwards.
            Assert.True(a.CommitFailures + b.CommitFailures + c.CommitFailures == 0, $"{a.Events}\n{b.Events}\n{c.Events}");
        }

        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)).ToList())]);
        Assert.All(committed.Single().Partitions, p => Assert.Equal(11000, p.Offset.Value));
    }

    private void Produce(string topic, int first, int count)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap, LingerMs = 5 }).Build();
        for (var i = first; i < first + count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % Partitions), new Message<Null, string> { Value = i.ToString(CultureInfo.InvariantCulture) });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
    }

    /// <summary>Waits until the members own the given numbers of partitions, disjoint and covering all.</summary>
    private static Task<TimeSpan> WaitForAssignmentAsync(GroupMember[] members, int[] counts) =>
        Eventually.WaitAsync(() =>
        {
            var assignments = members.Select(m => m.Assignment).ToArray();
            return assignments.Select(a => a.Length).SequenceEqual(counts)
                && assignments.SelectMany(a => a).Order().SequenceEqual(Enumerable.Range(0, Partitions));
        }, Patience, () => string.Join("\n", members.Select(m => m.Events)));

    /// <summary>How many revocations each member has seen so far.</summary>
    private static Dictionary<GroupMember, int> RevocationCounts(params GroupMember[] members) =>
        members.ToDictionary(m => m, m => m.Revocations.Count);

    /// <summary>The partitions revoked from the members since <paramref name="before"/>, sorted.</summary>
    private static int[] RevokedSince(Dictionary<GroupMember, int> before) =>
        [.. before.SelectMany(kv => kv.Key.Revocations.Skip(kv.Value)).SelectMany(r => r).Order()];

    /// <summary>The partitions a member process owns: what it was assigned minus what it gave up.</summary>
    private static int[] AssignmentOf(MemberProcess member)
    {
        var owned = new SortedSet<int>();
        foreach (var line in member.Lines)
        {
            var parts = line.Split(' ', 2);
            var partitions = parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)) : [];
            if (parts[0] == "assigned")
            {
                owned.UnionWith(partitions);
            }
            else if (parts[0] == "revoked")
            {
                owned.ExceptWith(partitions);
            }
        }
        return [.. owned];
    }

    private static int Covered(IEnumerable<ConsumedRecord> consumed, IEnumerable<(int Partition, long Offset)> more) =>
        consumed.Select(r => (r.Partition, r.Offset)).Concat(more).Distinct().Count();

    /// <summary>Every offset below each partition's end consumed exactly once, and nothing else.</summary>
    private static void AssertEachOnce(IEnumerable<ConsumedRecord> consumed, Dictionary<int, long> ends)
    {
        var byPartition = consumed.GroupBy(r => r.Partition).ToDictionary(g => g.Key, g => g.Select(r => r.Offset).Order().ToList());
        foreach (var (partition, end) in ends)
        {
            var offsets = byPartition.GetValueOrDefault(partition) ?? [];
            var duplicates = offsets.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
            Assert.True(duplicates.Count == 0, $"partition {partition}: offsets consumed more than once: {string.Join(',', duplicates)}");
            Assert.True(offsets.SequenceEqual(Enumerable.Range(0, (int)end).Select(o => (long)o)),
                $"partition {partition}: {offsets.Count} of {end} offsets consumed");
        }
    }
}
