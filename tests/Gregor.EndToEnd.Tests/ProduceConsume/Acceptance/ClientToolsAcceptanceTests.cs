using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 3: kcat produces in every codec (-P -z), consumes from the beginning to the end (-C -o
/// beginning -e), lists metadata (-L) and looks up offsets for times (-Q); confluent-kafka-python
/// round-trips keyed records with headers in every codec; kafka-python's own round trip (also at
/// api_version 0.9 and 0.10) is in ClientProcessTests and kafkajs's in Groups/KafkajsGroupTests.
/// </summary>
public sealed class ClientToolsAcceptanceTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private string Bootstrap => fixture.Broker.BootstrapServers;

    private static string ClientsDirectory => Path.Combine(RepositoryPaths.Root, "tests", "clients");

    [Theory]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Kcat_produces_compressed_and_consumes_from_the_beginning(string codec)
    {
        var topic = $"kcat-{codec}-{Guid.NewGuid():N}";
        await Raw.CreateTopicAsync(fixture.Broker.Port, topic);
        var lines = string.Join('\n', Enumerable.Range(0, 500).Select(i => $"key{i}:value-{i}-{new string('x', i % 40)}")) + "\n";
        var produce = await ExternalProcess.RunAsync("kcat", ["-b", Bootstrap, "-P", "-t", topic, "-K:", "-z", codec, "-X", "linger.ms=20"], Timeout, standardInput: lines);
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var consume = await ExternalProcess.RunAsync("kcat", ["-b", Bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%o %k %s\\n"], Timeout);
        Assert.True(consume.ExitCode == 0, consume.ToString());
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"{i} key{i} value-{i}-{new string('x', i % 40)}"), consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // The batches on disk carry the codec kcat asked for (it was not silently dropped).
        var segment = Directory.GetFiles(Path.Combine(fixture.Broker.LogDir, $"{topic}-0"), "*.log").Single();
        var attributes = await ReadFirstBatchAttributesAsync(segment);
        Assert.Equal(codec switch { "gzip" => 1, "snappy" => 2, "lz4" => 3, _ => 4 }, attributes & 7);
    }

    private static async Task<int> ReadFirstBatchAttributesAsync(string segment)
    {
        await using var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var header = new byte[23];
        await file.ReadExactlyAsync(header);
        return (header[21] << 8) | header[22];
    }

    [Fact]
    public async Task Kcat_lists_metadata()
    {
        var topic = $"kcat-meta-{Guid.NewGuid():N}";
        await Raw.CreateTopicAsync(fixture.Broker.Port, topic, 3);
        var list = await ExternalProcess.RunAsync("kcat", ["-b", Bootstrap, "-L", "-t", topic], Timeout);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("1 brokers:", list.StandardOutput);
        Assert.Contains($"broker 0 at {Bootstrap}", list.StandardOutput);
        Assert.Contains($"topic \"{topic}\" with 3 partitions:", list.StandardOutput);
        foreach (var p in Enumerable.Range(0, 3))
        {
            Assert.Contains($"partition {p}, leader 0, replicas: 0, isrs: 0", list.StandardOutput);
        }
    }

    [Fact]
    public async Task Kcat_queries_offsets_for_times()
    {
        var topic = $"kcat-times-{Guid.NewGuid():N}";
        await Raw.CreateTopicAsync(fixture.Broker.Port, topic);
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                producer.Produce(topic, new Message<Null, string> { Value = $"m{i}", Timestamp = new Timestamp(start + (i * 60_000), TimestampType.CreateTime) });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(10)));
        }
        // The first record at or after each time: exact hit, between two records, before all, after all (-1, the end).
        foreach (var (time, expected) in new[] { (start + (4 * 60_000), 4L), (start + (6 * 60_000) + 1, 7L), (start - 1, 0L), (start + 3_600_000, -1L) })
        {
            var query = await ExternalProcess.RunAsync("kcat", ["-b", Bootstrap, "-Q", "-t", $"{topic}:0:{time}"], Timeout);
            Assert.True(query.ExitCode == 0, query.ToString());
            Assert.Contains($"{topic} [0] offset {expected}", query.StandardOutput);
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Confluent_kafka_python_produces_and_consumes(string codec)
    {
        var topic = $"ckpy-{codec}-{Guid.NewGuid():N}";
        await Raw.CreateTopicAsync(fixture.Broker.Port, topic);
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", [Path.Combine(ClientsDirectory, "produce_consume_confluent.py"), Bootstrap, topic, "300", codec], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"{i} k{i} v{i} {i}"), result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
