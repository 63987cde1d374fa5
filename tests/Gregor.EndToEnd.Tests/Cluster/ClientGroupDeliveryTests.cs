using System.Globalization;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Groups.Members;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// Each real client, given a single bootstrap broker (a different one per client), produces to
/// every partition of a topic whose three partitions are led by three different brokers, and
/// consumes as a group with exactly-once-per-group delivery: the group reads every record once, a
/// consumer of that group started again reads only what came after its commits, and a second
/// group reads everything independently.
/// </summary>
[Collection(nameof(ThreeBrokerCollection))]
public sealed class ClientGroupDeliveryTests(ThreeBrokerCluster fixture)
{
    private const int Partitions = 3;
    private const int First = 30;
    private const int Second = 15;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(120);

    /// <summary>A consumed record: its partition, offset and value (the produced number).</summary>
    private sealed record Consumed(int Partition, long Offset, int Value);

    [Theory]
    [InlineData("confluent", 1)]
    [InlineData("kcat", 2)]
    [InlineData("kafka-python", 3)]
    [InlineData("kafkajs", 1)]
    public async Task Client_produces_to_every_partition_through_one_broker_and_its_group_reads_each_record_once(string client, int bootstrapBroker)
    {
        var topic = $"{client}-{Guid.NewGuid():N}";
        var metadata = await fixture.CreateTopicAsync(bootstrapBroker, topic, Partitions);
        Assert.Equal(Partitions, metadata.Partitions.Select(p => p.Leader).Distinct().Count());
        var bootstrap = fixture.Broker(bootstrapBroker).BootstrapServers;
        var group = $"g1-{topic}";

        await ProduceAsync(client, bootstrap, topic, 0, First);
        var firstRead = await ConsumeAsync(client, bootstrap, topic, group, First);
        AssertExactly(Enumerable.Range(0, First), firstRead);

        await ProduceAsync(client, bootstrap, topic, First, Second);
        var resumed = await ConsumeAsync(client, bootstrap, topic, group, Second);
        AssertExactly(Enumerable.Range(First, Second), resumed);

        var otherGroup = await ConsumeAsync(client, bootstrap, topic, $"g2-{topic}", First + Second);
        AssertExactly(Enumerable.Range(0, First + Second), otherGroup);
    }

    /// <summary>Each value once, in the partition it was sent to (value % partitions), at distinct offsets.</summary>
    private static void AssertExactly(IEnumerable<int> expected, IReadOnlyList<Consumed> consumed)
    {
        Assert.Equal(expected.Order(), consumed.Select(r => r.Value).Order());
        Assert.All(consumed, r => Assert.Equal(r.Value % Partitions, r.Partition));
        Assert.Equal(consumed.Count, consumed.Select(r => (r.Partition, r.Offset)).Distinct().Count());
    }

    private static async Task ProduceAsync(string client, string bootstrap, string topic, int first, int count)
    {
        var values = Enumerable.Range(first, count).ToList();
        switch (client)
        {
            case "confluent":
                using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 0 }).Build())
                {
                    await Task.WhenAll(values.Select(i => producer.ProduceAsync(new TopicPartition(topic, i % Partitions), new Message<Null, string> { Value = Text(i) })));
                }
                break;
            case "kcat":
                foreach (var partition in Enumerable.Range(0, Partitions))
                {
                    var lines = string.Concat(values.Where(i => i % Partitions == partition).Select(i => Text(i) + "\n"));
                    Succeeded(await ExternalProcess.RunAsync("kcat", ["-b", bootstrap, "-P", "-t", topic, "-p", Text(partition), "-X", "acks=all"], ClientTimeout, standardInput: lines));
                }
                break;
            default:
                Succeeded(await RunScriptAsync(client, ["produce", bootstrap, topic, Text(first), Text(count)]));
                break;
        }
    }

    private static async Task<IReadOnlyList<Consumed>> ConsumeAsync(string client, string bootstrap, string topic, string group, int count)
    {
        switch (client)
        {
            case "confluent":
                return ConsumeWithConfluent(bootstrap, topic, group, count);
            case "kcat":
                var kcat = await ExternalProcess.RunAsync("kcat",
                    ["-b", bootstrap, "-G", group, "-X", "auto.offset.reset=earliest", "-c", Text(count), "-f", "record %p %o %s\\n", topic], ClientTimeout);
                return Parse(Succeeded(kcat));
            default:
                return Parse(Succeeded(await RunScriptAsync(client, ["consume", bootstrap, topic, group, Text(count)])));
        }
    }

    /// <summary>A Confluent.Kafka group member: reads <paramref name="count"/> records, commits them and leaves.</summary>
    private static List<Consumed> ConsumeWithConfluent(string bootstrap, string topic, string group, int count)
    {
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<Ignore, string>(config).Build();
        consumer.Subscribe(topic);
        var consumed = new List<Consumed>();
        var deadline = DateTime.UtcNow + ClientTimeout;
        while (consumed.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{consumed.Count} of {count} records consumed");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is not null)
            {
                consumed.Add(new Consumed(result.Partition.Value, result.Offset.Value, int.Parse(result.Message.Value, CultureInfo.InvariantCulture)));
                consumer.Commit(result);
            }
        }
        consumer.Close();
        return consumed;
    }

    private static Task<ExternalProcess.Result> RunScriptAsync(string client, IEnumerable<string> arguments) => client == "kafkajs"
        ? ExternalProcess.RunAsync("node", ["cluster_group.js", .. arguments], ClientTimeout, workingDirectory: MemberProcess.ClientsDirectory)
        : ExternalProcess.RunAsync("/usr/bin/python3", ["cluster_group.py", .. arguments], ClientTimeout, workingDirectory: MemberProcess.ClientsDirectory);

    /// <summary>Lines "record PARTITION OFFSET VALUE".</summary>
    private static List<Consumed> Parse(ExternalProcess.Result result) =>
        [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(f => f[0] == "record")
            .Select(f => new Consumed(int.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture)))];

    private static ExternalProcess.Result Succeeded(ExternalProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
