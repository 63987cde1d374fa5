using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>console-producer reads stdin lines into records; console-consumer prints them back in Kafka's format.</summary>
public sealed class ConsoleToolsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task Keys_and_headers_round_trip_through_producer_and_consumer()
    {
        var topic = GregorTool.NewTopic("console");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        const string input = "h1:a,h2:b\tk1:v1\nflag\tk2:v2\n\tk3:value:with:colons\n";
        await GregorTool.SucceedAsync(Broker, "console-producer",
            ["--topic", topic, "--property", "parse.key=true", "--property", "key.separator=:", "--property", "parse.headers=true"], input);

        var consumed = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "3", "--property", "print.key=true", "--property", "print.offset=true",
             "--property", "print.partition=true", "--property", "print.headers=true", "--property", "key.separator=|"]);
        Assert.Equal(
            ["Partition:0|Offset:0|h1:a,h2:b|k1|v1", "Partition:0|Offset:1|flag:null|k2|v2", "Partition:0|Offset:2|NO_HEADERS|k3|value:with:colons"],
            GregorTool.Lines(consumed.StandardOutput));
        Assert.Contains("Processed a total of 3 messages", consumed.StandardError);
    }

    [Fact]
    public async Task Consumer_prints_values_by_default_and_create_timestamps_on_request()
    {
        var topic = GregorTool.NewTopic("plain");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--compression-codec", "lz4"], "one\ntwo\nthree\n");

        var values = await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--from-beginning", "--max-messages", "3"]);
        Assert.Equal(["one", "two", "three"], GregorTool.Lines(values.StandardOutput));

        var stamped = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "1", "--property", "print.timestamp=true"]);
        var fields = stamped.StandardOutput.TrimEnd('\n').Split('\t');
        Assert.Equal("one", fields[1]);
        Assert.StartsWith("CreateTime:", fields[0], StringComparison.Ordinal);
        Assert.InRange(long.Parse(fields[0]["CreateTime:".Length..], System.Globalization.CultureInfo.InvariantCulture), before - 1000, before + 60_000);
    }

    [Fact]
    public async Task Consumer_reads_one_partition_from_an_offset_and_stops_after_the_timeout()
    {
        var topic = GregorTool.NewTopic("offset");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", topic]);
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--property", "parse.key=true", "--property", "key.separator=="],
            "same=a\nsame=b\nsame=c\nsame=d\n");

        // Records with one key land in one partition; find it, then read from offset 2.
        var all = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "4", "--property", "print.partition=true"]);
        var partition = GregorTool.Lines(all.StandardOutput)[0].Split('\t')[0]["Partition:".Length..];

        var tail = await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--partition", partition, "--offset", "2", "--timeout-ms", "1500"]);
        Assert.Equal(["c", "d"], GregorTool.Lines(tail.StandardOutput));
        Assert.Contains("Processed a total of 2 messages", tail.StandardError);
    }

    [Fact]
    public async Task Consumer_of_an_unknown_topic_fails_with_one_line()
    {
        var result = await GregorTool.RunAsync(Broker, "console-consumer", ["--topic", "no-such-topic-here", "--timeout-ms", "1000"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("gregor console-consumer: error: topic 'no-such-topic-here' does not exist", result.StandardError.Trim());
    }

    [Fact]
    public async Task Producer_refuses_a_line_without_the_key_separator()
    {
        var topic = GregorTool.NewTopic("nosep");
        var result = await GregorTool.RunAsync(Broker, "console-producer", ["--topic", topic, "--property", "parse.key=true"], "no separator here\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no key separator found on line 1: 'no separator here'", result.StandardError);
    }
}
