using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>console-producer's kafka-console-producer.sh options that tune the producer, and its line reader options.</summary>
public sealed class ConsoleProducerOptionsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task Records_are_delivered_with_every_producer_option_given()
    {
        var topic = GregorTool.NewTopic("tuned");
        await GregorTool.SucceedAsync(Broker, "console-producer",
            ["--topic", topic, "--batch-size", "1000", "--max-partition-memory-bytes", "2000", "--timeout", "5", "--message-send-max-retries", "2",
             "--retry-backoff-ms", "50", "--request-timeout-ms", "10000", "--metadata-expiry-ms", "60000", "--socket-buffer-size", "65536",
             "--max-memory-bytes", "1048576", "--max-block-ms", "30000"], "one\ntwo\n");
        var consumed = await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--from-beginning", "--max-messages", "2"]);
        Assert.Equal(["one", "two"], GregorTool.Lines(consumed.StandardOutput));
    }

    [Theory]
    [InlineData("--batch-size", "0", "batch.size")]
    [InlineData("--max-partition-memory-bytes", "0", "batch.size")]
    [InlineData("--timeout", "900001", "queue.buffering.max.ms")] // librdkafka names linger.ms by its canonical name
    [InlineData("--message-send-max-retries", "-1", "message.send.max.retries")] // and retries too
    [InlineData("--retry-backoff-ms", "0", "retry.backoff.ms")]
    [InlineData("--request-timeout-ms", "0", "request.timeout.ms")]
    [InlineData("--metadata-expiry-ms", "0", "metadata.max.age.ms")]
    [InlineData("--socket-buffer-size", "-1", "socket.send.buffer.bytes")]
    [InlineData("--max-memory-bytes", "3000000000000", "queue.buffering.max.kbytes")]
    public async Task Each_option_sets_its_producer_property(string option, string value, string property)
    {
        var result = await GregorTool.RunAsync(Broker, "console-producer", ["--topic", GregorTool.NewTopic("range"), option, value], "x\n");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"gregor console-producer: error: {option}: Configuration property \"{property}\" value ", result.StandardError, StringComparison.Ordinal);
        Assert.Single(GregorTool.Lines(result.StandardError));
    }

    [Fact]
    public async Task A_line_that_finds_no_room_within_max_block_ms_fails()
    {
        // A record bigger than the whole send buffer never finds room.
        var result = await GregorTool.RunAsync(Broker, "console-producer",
            ["--topic", GregorTool.NewTopic("blocked"), "--max-memory-bytes", "1024", "--max-block-ms", "500"], new string('x', 3000) + "\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("line 1 not delivered", result.StandardError);
        Assert.Contains("Queue full", result.StandardError);
    }

    [Fact]
    public async Task Reader_config_sets_the_line_reader_properties_and_property_wins()
    {
        var topic = GregorTool.NewTopic("reader");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "parse.key=true\nkey.separator=:\n");
            await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--reader-config", file], "k1:v1\n");
            await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--reader-config", file, "--property", "key.separator=|",
                "--line-reader", "kafka.tools.ConsoleProducer$LineMessageReader"], "k2|v2\n");
        }
        finally
        {
            File.Delete(file);
        }
        var consumed = await GregorTool.SucceedAsync(Broker, "console-consumer", ["--topic", topic, "--from-beginning", "--max-messages", "2", "--property", "print.key=true"]);
        Assert.Equal(["k1\tv1", "k2\tv2"], GregorTool.Lines(consumed.StandardOutput));

        var other = await GregorTool.RunAsync(Broker, "console-producer", ["--topic", topic, "--line-reader", "com.example.Reader"], "x\n");
        Assert.Equal(1, other.ExitCode);
        Assert.Equal("gregor console-producer: error: --line-reader: unsupported reader 'com.example.Reader' (supported: kafka.tools.ConsoleProducer$LineMessageReader)",
            other.StandardError.Trim());
    }
}
