using System.CommandLine;
using System.Globalization;

namespace Gregor.Tools;

/// <summary>
/// kafka-console-producer.sh's options that set a producer property, each applied only when
/// given, as Kafka merges them; the librdkafka names are those of the Java client where
/// librdkafka shares them. --max-memory-bytes (Java's buffer.memory) becomes librdkafka's
/// queue.buffering.max.kbytes; --max-block-ms is how long a line waits for room in that queue.
/// </summary>
public sealed class ProducerOptions
{
    private readonly List<(Option<long?> Option, string Property, Func<long, string> Value)> _mapped = [];

    public ProducerOptions()
    {
        Map("--batch-size", "batch.size", "Bytes per partition batch (Kafka's default 16384).");
        Map("--max-partition-memory-bytes", "batch.size", "The same as --batch-size, Kafka's other name for batch.size.");
        Map("--timeout", "linger.ms", "Milliseconds a record may wait to fill a batch (linger.ms).");
        Map("--message-send-max-retries", "retries", "Retries of a failed send.");
        Map("--retry-backoff-ms", "retry.backoff.ms", "Milliseconds before a retry.");
        Map("--request-timeout-ms", "request.timeout.ms", "Milliseconds the broker has to acknowledge a produce request.");
        Map("--metadata-expiry-ms", "metadata.max.age.ms", "Milliseconds after which metadata is refreshed.");
        Map("--socket-buffer-size", "socket.send.buffer.bytes", "The socket's send buffer in bytes (Java's send.buffer.bytes).");
        Map("--max-memory-bytes", "queue.buffering.max.kbytes", "Bytes of records buffered before sending blocks (Java's buffer.memory).",
            bytes => Math.Max(1, bytes / 1024).ToString(CultureInfo.InvariantCulture));
    }

    public Option<long?> MaxBlockMs { get; } = new("--max-block-ms")
    {
        Description = "Milliseconds a line waits for room in a full send buffer before it fails (default 60000).",
    };

    private void Map(string name, string property, string description, Func<long, string>? value = null) =>
        _mapped.Add((new Option<long?>(name) { Description = $"{description} Sets {property}." }, property,
            value ?? (v => v.ToString(CultureInfo.InvariantCulture))));

    public void AddTo(Command command)
    {
        foreach (var (option, _, _) in _mapped)
        {
            command.Options.Add(option);
        }
        command.Options.Add(MaxBlockMs);
    }

    /// <summary>Sets the properties of the options given on <paramref name="config"/>; a value librdkafka refuses is an error naming the option.</summary>
    public void Apply(ParseResult parse, IDictionary<string, string> config)
    {
        foreach (var (option, property, value) in _mapped)
        {
            if (parse.GetValue(option) is { } given)
            {
                ClientProperties.AddTo(config, [new(property, value(given))], option.Name);
            }
        }
    }

    public TimeSpan MaxBlock(ParseResult parse) =>
        parse.GetValue(MaxBlockMs) is { } ms
            ? (ms >= 0 ? TimeSpan.FromMilliseconds(ms) : throw new ToolException("--max-block-ms must not be negative"))
            : TimeSpan.FromMinutes(1);
}
