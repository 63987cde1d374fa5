using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Groups.Members;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// kafkajs and kafka-python consumer groups work with the same coordinator as librdkafka's: a
/// kafkajs group of two splits a topic; a kafka-python KafkaConsumer(group_id=…) and a
/// Confluent.Kafka consumer share one group, both holding partitions, each record consumed once;
/// and kafka-python's KafkaAdminClient lists and describes those groups.
/// </summary>
public sealed class ClientInteropGroupTests(GroupBrokerFixture fixture) : IClassFixture<GroupBrokerFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Fact]
    public async Task Kafkajs_kafka_python_and_confluent_share_the_coordinator()
    {
        var topic = $"interop-{Guid.NewGuid():N}";
        var mixedGroup = $"mixed-{topic}";
        var kafkajsGroup = $"kafkajs-{topic}";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);

        // Two kafkajs members split the four partitions and consume 400 records between them, once each.
        var kafkajs = await ExternalProcess.RunAsync("node", ["group_kafkajs.js", Bootstrap, topic, kafkajsGroup, "400"], TimeSpan.FromSeconds(90),
            workingDirectory: MemberProcess.ClientsDirectory);
        Assert.True(kafkajs.ExitCode == 0, kafkajs.ToString());
        var lines = kafkajs.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
        var kafkajsMembers = lines.Where(l => l[0] == "member").ToDictionary(l => l[1], l => l[2].Split(',').Select(int.Parse).ToArray());
        Assert.All(kafkajsMembers.Values, Assert.NotEmpty);
        Assert.Equal([0, 1, 2, 3], kafkajsMembers.Values.SelectMany(p => p).Order());
        var kafkajsRecords = lines.Where(l => l[0] == "record").Select(l => (l[2], l[3])).ToList();
        Assert.Equal(400, kafkajsRecords.Count);
        Assert.Equal(400, kafkajsRecords.Distinct().Count());

        // A Confluent member reads those 400 records in another group, then a kafka-python member joins it.
        var consumed = new ConcurrentQueue<ConsumedRecord>();
        await using var confluent = GroupMember.Start("confluent", new ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = mixedGroup,
            ClientId = "confluent-member",
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
        }, topic, consumed);
        await Eventually.WaitAsync(() => consumed.Count >= 400 && confluent.AllCommitted, TimeSpan.FromSeconds(60), () => confluent.Events);
        var python = await ExternalProcess.RunAsync("/usr/bin/python3", ["group_kafka_python.py", Bootstrap, topic, mixedGroup, kafkajsGroup, "400"],
            TimeSpan.FromSeconds(90), workingDirectory: MemberProcess.ClientsDirectory);
        Assert.True(python.ExitCode == 0, python.ToString());
        var output = python.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();

        // KafkaAdminClient: both groups listed as consumer groups; the mixed group Stable with one
        // kafka-python and one librdkafka member, each holding two partitions; the kafkajs group Empty.
        Assert.Contains(output, l => l is ["listed", var g, "consumer"] && g == mixedGroup);
        Assert.Contains(output, l => l is ["listed", var g, "consumer"] && g == kafkajsGroup);
        Assert.Contains(output, l => l is ["group", var g, "Stable", "consumer", "range", "2"] && g == mixedGroup);
        Assert.Contains(output, l => l is ["group", var g, "Empty", "consumer", _, "0"] && g == kafkajsGroup);
        var mixedMembers = output.Where(l => l[0] == "member" && l[1] == mixedGroup).ToDictionary(l => l[2], l => l[3]);
        Assert.Equal(["confluent-member", "kafka-python-member"], mixedMembers.Keys.Order());
        var pythonPartitions = output.Single(l => l[0] == "assigned")[1].Split(',').Select(int.Parse).ToArray();
        Assert.Equal(string.Join(',', pythonPartitions), mixedMembers["kafka-python-member"]);
        Assert.Equal(2, pythonPartitions.Length);
        Assert.Equal(2, mixedMembers["confluent-member"].Split(',').Length);

        // The 400 records kafka-python produced: its partitions' share read by kafka-python, the
        // rest by the Confluent member (which gets all partitions back when kafka-python leaves), each once.
        await Eventually.WaitAsync(() => consumed.Count >= 600 && confluent.AllCommitted, TimeSpan.FromSeconds(60), () => $"{consumed.Count} {confluent.Events}");
        var pythonRecords = output.Where(l => l[0] == "record").Select(l => (int.Parse(l[1], CultureInfo.InvariantCulture), long.Parse(l[2], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(200, pythonRecords.Count);
        Assert.All(pythonRecords, r => Assert.Contains(r.Item1, pythonPartitions));
        var all = consumed.Select(r => (r.Partition, r.Offset)).Concat(pythonRecords).ToList();
        Assert.Equal(800, all.Count);
        Assert.Equal(800, all.Distinct().Count());
    }
}
