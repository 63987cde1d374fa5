using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// `topics --describe` and `consumer-groups --describe` print what Confluent.Kafka's AdminClient
/// reports for the same cluster, field by field.
/// </summary>
public sealed class AdminAgreementToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Broker.BootstrapServers }).Build();

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Topics_describe_matches_the_admin_client()
    {
        var topic = GregorTool.NewTopic("agree");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "3", "--topic", topic, "--config", "retention.ms=600000"]);
        var lines = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "topics", ["--describe", "--topic", topic])).StandardOutput);

        using var admin = Admin();
        var description = Assert.Single((await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions);
        var configs = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).Entries.Values;
        var nonDefault = string.Join(',', configs.Where(e => !e.IsDefault).OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}"));

        var expected = new List<string>
        {
            // Kafka prints topic ids in URL-safe base64; Confluent.Kafka's Uuid.ToString uses the standard alphabet.
            $"Topic: {topic}\tTopicId: {description.TopicId.ToString().Replace('+', '-').Replace('/', '_')}\tPartitionCount: {description.Partitions.Count}\tReplicationFactor: {description.Partitions[0].Replicas.Count}\tConfigs: {nonDefault}",
        };
        expected.AddRange(description.Partitions.OrderBy(p => p.Partition).Select(p =>
            $"\tTopic: {topic}\tPartition: {p.Partition}\tLeader: {p.Leader.Id}\tReplicas: {string.Join(',', p.Replicas.Select(r => r.Id))}\tIsr: {string.Join(',', p.ISR.Select(r => r.Id))}\tElr: N/A\tLastKnownElr: N/A"));
        Assert.Equal(expected, lines);
        Assert.Contains("retention.ms=600000", nonDefault);
        Assert.Equal(3, description.Partitions.Count);
    }

    [Fact]
    public async Task Consumer_groups_describe_matches_the_admin_client()
    {
        var topic = GregorTool.NewTopic("agreegroup");
        var group = GregorTool.NewTopic("agreement");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "3", "--topic", topic]);
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--property", "parse.key=true", "--property", "key.separator=="],
            string.Concat(Enumerable.Range(0, 30).Select(i => $"k{i}=v{i}\n")));

        // Two live members sharing the three partitions, each having committed what it consumed so far.
        using var first = Member(group, "member-one");
        using var second = Member(group, "member-two");
        first.Subscribe(topic);
        second.Subscribe(topic);
        using var admin = Admin();
        await JoinAndCommitAsync(admin, group, [first, second]);

        var before = await AdminViewAsync(admin, group, topic);
        var offsets = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group])).StandardOutput);
        var members = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group, "--members", "--verbose"])).StandardOutput);
        var state = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "consumer-groups", ["--describe", "--group", group, "--state"])).StandardOutput);
        var after = await AdminViewAsync(admin, group, topic);
        Assert.Equal(before.Rows, after.Rows); // nothing moved while the tool looked

        Assert.Equal(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"], Cells(offsets[0]));
        Assert.Equal(before.Rows, offsets.Skip(1).Select(Cells).Select(c => string.Join(' ', c)).ToList());

        Assert.Equal(["GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT"], Cells(members[0]));
        Assert.Equal(before.Members, members.Skip(1).Select(Cells).Select(c => string.Join(' ', c)).Order(StringComparer.Ordinal).ToList());

        var d = before.Description;
        Assert.Matches($@"^{group} +{d.Coordinator.Host}:{d.Coordinator.Port} \({d.Coordinator.Id}\) +{d.PartitionAssignor} +{d.State} +2$", state[1]);

        first.Close();
        second.Close();
    }

    private IConsumer<Ignore, string> Member(string group, string clientId) =>
        new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = Broker.BootstrapServers,
            GroupId = group,
            ClientId = clientId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();

    /// <summary>Polls both members until the group is Stable with both holding partitions and some records consumed, then commits.</summary>
    private static async Task JoinAndCommitAsync(IAdminClient admin, string group, IConsumer<Ignore, string>[] consumers)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        var consumed = new int[consumers.Length];
        while (DateTime.UtcNow < deadline)
        {
            for (var i = 0; i < consumers.Length; i++)
            {
                if (consumed[i] < 4 && consumers[i].Consume(TimeSpan.FromMilliseconds(100)) is not null)
                {
                    consumed[i]++;
                }
                else if (consumed[i] >= 4)
                {
                    consumers[i].Consume(TimeSpan.FromMilliseconds(10)); // keeps the member taking part in rebalances
                }
            }
            if (consumed.All(c => c >= 4) && consumers.All(c => c.Assignment.Count > 0) && consumers.Sum(c => c.Assignment.Count) == 3)
            {
                var description = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
                if (description.State == ConsumerGroupState.Stable && description.Members.Count == consumers.Length)
                {
                    foreach (var c in consumers)
                    {
                        c.Commit();
                    }
                    return;
                }
            }
        }
        Assert.Fail($"the group did not settle: consumed {string.Join(',', consumed)}, assignments {string.Join(',', consumers.Select(c => c.Assignment.Count))}");
    }

    private sealed record AdminView(ConsumerGroupDescription Description, List<string> Rows, List<string> Members);

    /// <summary>The rows the tool should print, built from the admin client alone.</summary>
    private static async Task<AdminView> AdminViewAsync(IAdminClient admin, string group, string topic)
    {
        var description = Assert.Single((await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions);
        var committed = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)])).Partitions
            .Where(p => p.Offset.Value >= 0).ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)).ToList();
        var ends = (await admin.ListOffsetsAsync(partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = OffsetSpec.Latest() })))
            .ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
        Assert.NotEmpty(committed);
        var rows = partitions.Select(tp =>
        {
            var member = description.Members.Single(m => m.Assignment.TopicPartitions.Contains(tp));
            var current = committed.TryGetValue(tp, out var c) ? Text(c) : "-";
            var lag = committed.TryGetValue(tp, out c) ? Text(ends[tp] - c) : "-";
            return string.Join(' ', group, topic, Text(tp.Partition.Value), current, Text(ends[tp]), lag, member.ConsumerId, member.Host, member.ClientId);
        }).ToList();
        var members = description.Members.Select(m => string.Join(' ', group, m.ConsumerId, m.Host, m.ClientId, Text(m.Assignment.TopicPartitions.Count),
            $"{topic}({string.Join(',', m.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order())})")).Order(StringComparer.Ordinal).ToList();
        return new AdminView(description, rows, members);
    }
}
