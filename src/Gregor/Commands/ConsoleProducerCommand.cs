using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor console-producer --topic T`, as kafka-console-producer.sh: one record per stdin line
/// (keys and headers parsed per <see cref="LineRecordParser"/>). Every failed delivery is
/// reported on stderr with its line number, and the exit code is 1 if any record failed.
/// </summary>
public static class ConsoleProducerCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = new Option<string>("--topic") { Description = "The topic to produce to.", Required = true };
        var properties = new Option<string[]>("--property")
        {
            Description = "Line parsing: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error. Repeatable KEY=VALUE.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var producerProperties = new Option<string[]>("--producer-property")
        {
            Description = "A producer setting KEY=VALUE (e.g. linger.ms=5). Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var producerConfig = new Option<string?>("--producer.config") { Description = "A properties file of producer settings." };
        var compression = new Option<string?>("--compression-codec")
        {
            Description = "none, gzip, snappy, lz4 or zstd (given without a value: gzip).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        compression.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");
        var acks = new Option<string>("--request-required-acks")
        {
            Description = "Acknowledgements the leader waits for: -1 (all), 0 or 1 (default -1).",
            DefaultValueFactory = _ => "-1",
        };
        var sync = new Option<bool>("--sync") { Description = "Wait for each record's acknowledgement before sending the next." };
        var readerConfig = new Option<string?>("--reader-config") { Description = "A properties file of line-reader properties (--property takes precedence)." };
        var lineReader = new Option<string>("--line-reader")
        {
            Description = "The line reader: kafka.tools.ConsoleProducer$LineMessageReader, the only one.",
            DefaultValueFactory = _ => LineReaderClass,
        };
        var producerOptions = new ProducerOptions();

        var command = new Command("console-producer", "Produce stdin lines as records, like kafka-console-producer.sh.")
        {
            topic, properties, readerConfig, lineReader, producerProperties, producerConfig, compression, acks, sync,
        };
        producerOptions.AddTo(command);
        cluster.AddTo(command);
        ToolAction.Set(command, (parse, cancellationToken) =>
        {
            var settings = new List<KeyValuePair<string, string>>
            {
                // Kafka's delivery.timeout.ms default; librdkafka's own is 5 minutes.
                new("message.timeout.ms", "120000"),
                new("acks", parse.GetValue(acks)!),
            };
            if (parse.GetResult(compression) is not null)
            {
                settings.Add(new("compression.type", parse.GetValue(compression) ?? "gzip"));
            }
            var file = parse.GetValue(producerConfig);
            if (file is not null)
            {
                settings.AddRange(ClientProperties.LoadFile(file));
            }
            settings.AddRange(ClientProperties.ParsePairs(parse.GetValue(producerProperties) ?? [], "--producer-property"));
            var config = cluster.Read(parse, settings, "--producer.config/--producer-property");
            // As in Kafka, an option given explicitly wins over the same setting in a file or --producer-property.
            producerOptions.Apply(parse, config);
            if (parse.GetValue(lineReader) is not (LineReaderClass or "LineMessageReader"))
            {
                throw new ToolException($"--line-reader: unsupported reader '{parse.GetValue(lineReader)}' (supported: {LineReaderClass})");
            }
            var readerProperties = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(readerConfig) is { } readerFile)
            {
                foreach (var (key, value) in ClientProperties.LoadFile(readerFile))
                {
                    readerProperties[key] = value;
                }
            }
            foreach (var (key, value) in ClientProperties.ParsePairs(parse.GetValue(properties) ?? [], "--property"))
            {
                readerProperties[key] = value;
            }
            var parser = new LineRecordParser(readerProperties);
            return RunAsync(config, parse.GetValue(topic)!, parser, parse.GetValue(sync), producerOptions.MaxBlock(parse), cancellationToken);
        });
        return command;
    }

    private const string LineReaderClass = "kafka.tools.ConsoleProducer$LineMessageReader";

    private static async Task<int> RunAsync(Dictionary<string, string> config, string topic, LineRecordParser parser, bool sync, TimeSpan maxBlock,
        CancellationToken cancellationToken)
    {
        AdminSession.Connect(config).Dispose();
        using var stop = new StopSignal(cancellationToken);
        var errors = new ClientErrors();
        using var producer = KafkaClients.Producer(config, errors);
        long failed = 0;
        long lineNumber = 0;
        using var stdin = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        var stopped = Task.Delay(Timeout.Infinite, stop.Token);
        try
        {
            while (await ReadLineAsync(stdin, stopped, stop.Token) is { } line)
            {
                lineNumber++;
                var record = parser.Parse(line, lineNumber);
                var number = lineNumber;
                void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref failed);
                        Console.Error.WriteLine($"gregor console-producer: error: line {number} not delivered to {topic}: {KafkaClients.Describe(report.Error)}");
                    }
                }
                if (!Produce(producer, topic, record, OnDelivery, number, maxBlock))
                {
                    Interlocked.Increment(ref failed);
                }
                if (sync)
                {
                    producer.Flush(stop.Token);
                }
            }
        }
        finally
        {
            // Records already handed to the client are delivered (or fail) before we exit.
            while (producer.Flush(TimeSpan.FromSeconds(1)) > 0)
            {
            }
        }
        if (failed > 0)
        {
            return ToolAction.Fail("console-producer", $"{failed} of {lineNumber} records were not delivered");
        }
        return 0;
    }

    /// <summary>
    /// Hands a record to the client, waiting up to <paramref name="maxBlock"/> (Kafka's
    /// max.block.ms) while its queue is full; false when it is refused.
    /// </summary>
    private static bool Produce(IProducer<byte[]?, byte[]?> producer, string topic, Message<byte[]?, byte[]?> record,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, long lineNumber, TimeSpan maxBlock)
    {
        var deadline = DateTime.UtcNow + maxBlock;
        while (true)
        {
            try
            {
                producer.Produce(topic, record, onDelivery);
                return true;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull && DateTime.UtcNow < deadline)
            {
                producer.Poll(TimeSpan.FromMilliseconds(100));
            }
            catch (ProduceException<byte[]?, byte[]?> e)
            {
                Console.Error.WriteLine($"gregor console-producer: error: line {lineNumber} not delivered to {topic}: {KafkaClients.Describe(e.Error)}");
                return false;
            }
        }
    }

    /// <summary>The next line, or null at end of input or when stopped (a stdin read cannot always be cancelled, so it is raced).</summary>
    private static async Task<string?> ReadLineAsync(StreamReader reader, Task stopped, CancellationToken stop)
    {
        var read = reader.ReadLineAsync(stop).AsTask();
        var finished = await Task.WhenAny(read, stopped).ConfigureAwait(false);
        return finished == read && !read.IsCanceled ? await read : null;
    }
}
