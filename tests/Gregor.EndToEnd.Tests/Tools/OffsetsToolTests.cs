using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>get-offsets prints kafka-get-offsets.sh's topic:partition:offset lines; delete-records moves the log start offset.</summary>
public sealed class OffsetsToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task Get_offsets_prints_latest_earliest_and_by_timestamp()
    {
        var topic = GregorTool.NewTopic("offsets");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", topic]);
        // One key per partition's worth of records: send 5 records to a single partition by key.
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--property", "parse.key=true", "--property", "key.separator=="],
            "k=1\nk=2\nk=3\nk=4\nk=5\n");

        var latest = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic])).StandardOutput);
        Assert.Equal(2, latest.Length);
        Assert.Equal([$"{topic}:0:", $"{topic}:1:"], latest.Select(l => l[..(l.LastIndexOf(':') + 1)]));
        Assert.Equal([0L, 5L], latest.Select(l => long.Parse(l[(l.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order());

        var earliest = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic, "--time", "-2"]);
        Assert.Equal([$"{topic}:0:0", $"{topic}:1:0"], GregorTool.Lines(earliest.StandardOutput));

        var fromEpoch = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic, "--time", "0"]);
        Assert.Single(GregorTool.Lines(fromEpoch.StandardOutput)); // the empty partition has no record at or after the time
        Assert.EndsWith(":0", fromEpoch.StandardOutput.Trim(), StringComparison.Ordinal);

        var onlyOne = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic, "--partitions", "1", "--time", "earliest"]);
        Assert.Equal([$"{topic}:1:0"], GregorTool.Lines(onlyOne.StandardOutput));
    }

    [Fact]
    public async Task Get_offsets_of_an_unknown_topic_is_an_error()
    {
        var result = await GregorTool.RunAsync(Broker, "get-offsets", ["--topic", "not-there"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("gregor get-offsets: error: topic 'not-there' does not exist", result.StandardError.Trim());
    }

    [Fact]
    public async Task Delete_records_moves_the_low_watermark_and_reports_each_partition()
    {
        var topic = GregorTool.NewTopic("delrecords");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", topic]);
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--property", "parse.key=true", "--property", "key.separator=="],
            string.Concat(Enumerable.Range(0, 20).Select(i => $"k{i}=v{i}\n")));
        // Keys hash to partitions deterministically; twenty distinct keys reach both.
        var ends = GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic])).StandardOutput);
        Assert.All(ends, e => Assert.False(e.EndsWith(":0", StringComparison.Ordinal), e));
        var file = Path.GetTempFileName();
        try
        {
            // Partition 0 up to offset 1, partition 1 up to its high watermark (-1).
            await File.WriteAllTextAsync(file, $$"""{"partitions":[{"topic":"{{topic}}","partition":0,"offset":1},{"topic":"{{topic}}","partition":1,"offset":-1}],"version":1}""");
            var deleted = await GregorTool.SucceedAsync(Broker, "delete-records", ["--offset-json-file", file]);
            var end1 = ends[1][(ends[1].LastIndexOf(':') + 1)..];
            Assert.Equal(["Executing records delete operation", "Records delete operation completed:",
                $"partition: {topic}-0\tlow_watermark: 1", $"partition: {topic}-1\tlow_watermark: {end1}"], GregorTool.Lines(deleted.StandardOutput));

            var earliest = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic, "--time", "-2"]);
            Assert.Equal([$"{topic}:0:1", $"{topic}:1:{end1}"], GregorTool.Lines(earliest.StandardOutput));

            await File.WriteAllTextAsync(file, $$"""{"partitions":[{"topic":"{{topic}}","partition":0,"offset":1000}],"version":1}""");
            var beyond = await GregorTool.RunAsync(Broker, "delete-records", ["--offset-json-file", file]);
            Assert.Equal(1, beyond.ExitCode);
            Assert.Contains($"partition: {topic}-0\terror: Broker: Offset out of range (OffsetOutOfRange)", beyond.StandardOutput);

            await File.WriteAllTextAsync(file, $$"""{"partitions":[{"topic":"{{topic}}","partition":9,"offset":1}],"version":1}""");
            var partition = await GregorTool.RunAsync(Broker, "delete-records", ["--offset-json-file", file]);
            Assert.Equal((1, $"gregor delete-records: error: partition {topic}-9 does not exist (topic '{topic}' has 2 partitions)"),
                (partition.ExitCode, partition.StandardError.Trim()));

            await File.WriteAllTextAsync(file, """{"partitions":[{"topic":"not-there","partition":0,"offset":1}],"version":1}""");
            var unknown = await GregorTool.RunAsync(Broker, "delete-records", ["--offset-json-file", file]);
            Assert.Equal((1, "gregor delete-records: error: topic 'not-there' does not exist"), (unknown.ExitCode, unknown.StandardError.Trim()));

            await File.WriteAllTextAsync(file, """{"partitions":[{"topic":"x"}]}""");
            var malformed = await GregorTool.RunAsync(Broker, "delete-records", ["--offset-json-file", file]);
            Assert.Equal(1, malformed.ExitCode);
            Assert.StartsWith($"gregor delete-records: error: {file}: expected {{\"partitions\":[{{\"topic\":T,\"partition\":P,\"offset\":O}}],\"version\":1}}", malformed.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
