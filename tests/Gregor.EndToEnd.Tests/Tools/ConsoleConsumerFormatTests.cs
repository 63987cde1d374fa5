using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// console-consumer's topic selection (--include, --whitelist) and output options (--formatter,
/// --formatter-config, the deserializers, --skip-message-on-error) as kafka-console-consumer.sh's.
/// </summary>
public sealed class ConsoleConsumerFormatTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    private async Task ProduceAsync(string topic, params byte[]?[] values)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = Broker.BootstrapServers, LingerMs = 0 }).Build();
        foreach (var value in values)
        {
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = value, Value = value });
        }
    }

    private async Task<string[]> ConsumeAsync(string topic, int count, params string[] arguments) =>
        GregorTool.Lines((await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments])).StandardOutput);

    private static byte[] Long(long v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(b, v);
        return b;
    }

    private static byte[] Double(double v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, v);
        return b;
    }

    [Fact]
    public async Task Include_consumes_every_topic_its_regex_matches_and_whitelist_is_its_old_name()
    {
        var prefix = GregorTool.NewTopic("include");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", prefix + ".a"], "one\ntwo\n");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", prefix + "Xa"], "three\n");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", prefix + "-b"], "four\n");

        var all = await GregorTool.SucceedAsync(Broker, "console-consumer", ["--include", prefix + ".a", "--from-beginning", "--max-messages", "3"]);
        Assert.Equal(["one", "three", "two"], GregorTool.Lines(all.StandardOutput).Order(StringComparer.Ordinal));
        var grouped = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--whitelist", prefix + @"\.a", "--group", prefix, "--from-beginning", "--max-messages", "2"]);
        Assert.Equal(["one", "two"], GregorTool.Lines(grouped.StandardOutput));

        var both = await GregorTool.RunAsync(Broker, "console-consumer", ["--include", prefix + ".*", "--topic", prefix + "-b"]);
        Assert.Equal(1, both.ExitCode);
        Assert.Equal("gregor console-consumer: error: exactly one of --topic and --include is required", both.StandardError.Trim());
        var none = await GregorTool.RunAsync(Broker, "console-consumer", ["--include", prefix + "-nothing"]);
        Assert.Equal(1, none.ExitCode);
        Assert.Equal($"gregor console-consumer: error: no topic matches --include {prefix}-nothing", none.StandardError.Trim());
    }

    [Fact]
    public async Task Deserializers_print_numbers_and_ids_as_java_prints_them()
    {
        var topic = GregorTool.NewTopic("numbers");
        await ProduceAsync(topic, Long(1234567890123), Long(-1), null);
        Assert.Equal(["1234567890123", "-1", "null"],
            await ConsumeAsync(topic, 3, "--value-deserializer", "org.apache.kafka.common.serialization.LongDeserializer"));
        Assert.Equal(["1234567890123\t1234567890123", "-1\t-1", "null\tnull"],
            await ConsumeAsync(topic, 3, "--property", "print.key=true", "--property", "key.deserializer=org.apache.kafka.common.serialization.LongDeserializer",
                "--value-deserializer", "org.apache.kafka.common.serialization.LongDeserializer"));

        var doubles = GregorTool.NewTopic("doubles");
        double[] values = [1.0, 3.14, 0.001, 1.5e-4, 1e7, 12345678.9, -0.0, 100];
        await ProduceAsync(doubles, values.Select(Double).ToArray());
        Assert.Equal(["1.0", "3.14", "0.001", "1.5E-4", "1.0E7", "1.23456789E7", "-0.0", "100.0"],
            await ConsumeAsync(doubles, values.Length, "--value-deserializer", "org.apache.kafka.common.serialization.DoubleDeserializer"));

        var ints = GregorTool.NewTopic("ints");
        await ProduceAsync(ints, [0, 0, 1, 0], [0xFF, 0xFF, 0xFF, 0xFB]);
        Assert.Equal(["256", "-5"], await ConsumeAsync(ints, 2, "--value-deserializer", "org.apache.kafka.common.serialization.IntegerDeserializer"));

        var ids = GregorTool.NewTopic("ids");
        await ProduceAsync(ids, Encoding.UTF8.GetBytes("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
        Assert.Equal(["3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
            await ConsumeAsync(ids, 1, "--value-deserializer", "org.apache.kafka.common.serialization.UUIDDeserializer"));
    }

    [Fact]
    public async Task A_record_the_deserializer_cannot_read_stops_the_consumer_unless_skip_message_on_error()
    {
        var topic = GregorTool.NewTopic("mixed");
        await ProduceAsync(topic, Long(7), Encoding.UTF8.GetBytes("text"), Long(8));
        var stopped = await GregorTool.RunAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "3", "--value-deserializer", "org.apache.kafka.common.serialization.LongDeserializer"]);
        Assert.Equal(1, stopped.ExitCode);
        Assert.Equal(["7"], GregorTool.Lines(stopped.StandardOutput));
        Assert.Contains($"gregor console-consumer: error: cannot print the record at {topic}-0 offset 1: Size of data received by LongDeserializer is not 8",
            stopped.StandardError);

        var skipped = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "3", "--value-deserializer", "org.apache.kafka.common.serialization.LongDeserializer",
             "--skip-message-on-error"]);
        Assert.Equal(["7", "8"], GregorTool.Lines(skipped.StandardOutput));
        Assert.Contains($"skipping the record at {topic}-0 offset 1: Size of data received by LongDeserializer is not 8", skipped.StandardError);
        Assert.Contains("Processed a total of 3 messages", skipped.StandardError);
    }

    [Fact]
    public async Task Formatters_logging_and_no_op_and_formatter_config()
    {
        var topic = GregorTool.NewTopic("formatters");
        await GregorTool.SucceedAsync(Broker, "console-producer", ["--topic", topic, "--property", "parse.key=true"], "k1\tv1\n");

        var logged = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "1", "--formatter", "org.apache.kafka.tools.consumer.LoggingMessageFormatter"]);
        Assert.Equal(["v1"], GregorTool.Lines(logged.StandardOutput));
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO CreateTime:\d+, key:k1, value:v1 \(org\.apache\.kafka\.tools\.consumer\.LoggingMessageFormatter\)$",
            GregorTool.Lines(logged.StandardError)[0]);

        var quiet = await GregorTool.SucceedAsync(Broker, "console-consumer",
            ["--topic", topic, "--from-beginning", "--max-messages", "1", "--formatter", "kafka.tools.NoOpMessageFormatter"]);
        Assert.Equal("", quiet.StandardOutput);
        Assert.Contains("Processed a total of 1 messages", quiet.StandardError);

        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "print.key=true\nkey.separator=|\nprint.offset=true\n");
            // --property takes precedence over the file.
            Assert.Equal(["Offset:0=k1=v1"], await ConsumeAsync(topic, 1, "--formatter-config", file, "--property", "key.separator=="));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Unknown_formatters_properties_and_deserializers_are_one_line_errors()
    {
        var topic = GregorTool.NewTopic("unknown");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--topic", topic]);
        async Task AssertFailsAsync(string expectedStart, params string[] arguments)
        {
            var result = await GregorTool.RunAsync(Broker, "console-consumer", ["--topic", topic, .. arguments]);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Single(GregorTool.Lines(result.StandardError));
            Assert.StartsWith(expectedStart, result.StandardError, StringComparison.Ordinal);
        }
        await AssertFailsAsync("gregor console-consumer: error: --property: unknown formatter property 'print.keys'", "--property", "print.keys=true");
        await AssertFailsAsync("gregor console-consumer: error: --formatter: unsupported formatter 'com.example.Mine'", "--formatter", "com.example.Mine");
        await AssertFailsAsync("gregor console-consumer: error: key.deserializer: unknown deserializer 'com.example.Des'", "--key-deserializer", "com.example.Des");
    }
}
