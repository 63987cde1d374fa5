using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>get-offsets prints kafka-get-offsets.sh's topic:partition:offset lines.</summary>
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
}
