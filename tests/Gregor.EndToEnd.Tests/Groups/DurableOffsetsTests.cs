using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>
/// Committed offsets live in the compacted internal topic __consumer_offsets: they survive a
/// restart (clean or kill -9), and the topic is readable like Kafka's.
/// </summary>
public sealed class DurableOffsetsTests
{
    private static ConsumerConfig Config(BrokerProcess broker, string group) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6000,
    };

    /// <summary>Reads <paramref name="count"/> records, committing each of the first <paramref name="commit"/> (default: all).</summary>
    private static List<int> Consume(BrokerProcess broker, string topic, string group, int count, int? commit = null)
    {
        using var consumer = new ConsumerBuilder<Null, string>(Config(broker, group)).Build();
        consumer.Subscribe(topic);
        var values = new List<int>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is not null && !result.IsPartitionEOF)
            {
                values.Add(int.Parse(result.Message.Value, System.Globalization.CultureInfo.InvariantCulture));
                if (values.Count <= (commit ?? count))
                {
                    consumer.Commit(result);
                }
            }
        }
        consumer.Close();
        return values;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_group_resumes_where_it_stopped_after_a_restart(bool kill)
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-offsets-").FullName;
        try
        {
            await using (var broker = await BrokerProcess.StartAsync(["group.initial.rebalance.delay.ms=0"], logDir))
            {
                using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
                {
                    for (var i = 0; i < 100; i++)
                    {
                        producer.Produce("resume", new Message<Null, string> { Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                    }
                    Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
                }
                // 60 records read, the first 50 committed: 50-59 were processed but not committed.
                Assert.Equal(Enumerable.Range(0, 60), Consume(broker, "resume", "resumers", 60, commit: 50));
                Assert.True(Directory.Exists(Path.Combine(logDir, "__consumer_offsets-0")));
                if (!kill)
                {
                    Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
                }
            }
            await using (var broker = await BrokerProcess.StartAsync(["group.initial.rebalance.delay.ms=0"], logDir))
            {
                // Resumes at the last commit: no gap, and only the uncommitted 50-59 are read again.
                Assert.Equal(Enumerable.Range(50, 50), Consume(broker, "resume", "resumers", 50));
                // kcat reads the internal topic like any other: the offset commits are there.
                var dump = await ExternalProcess.RunAsync("kcat", ["-b", broker.BootstrapServers, "-C", "-t", "__consumer_offsets", "-o", "beginning", "-e", "-f", "%k\\n"], TimeSpan.FromSeconds(60));
                Assert.True(dump.ExitCode == 0, dump.ToString());
                Assert.Contains("resumers", dump.StandardOutput);
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }
}
