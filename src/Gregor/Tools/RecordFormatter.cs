using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Writes consumed records as kafka-console-consumer.sh's formatters do (--formatter):
/// DefaultMessageFormatter writes <c>[CreateTime:TS] [Partition:P] [Offset:O] [HEADERS] [KEY] VALUE</c>,
/// the fields joined by key.separator (default a tab) and each record ended by line.separator
/// (default "\n"). Properties: print.timestamp, print.partition, print.offset, print.headers,
/// print.key (all default false), print.value (default true); headers as <c>k:v,k:v</c>
/// (headers.separator, headers.key.separator) or NO_HEADERS; null keys, values and header
/// values print as null.literal (default "null"); key.deserializer, value.deserializer and
/// headers.deserializer pick one of <see cref="Deserializers"/> (bytes unchanged by default),
/// applied to non-null bytes. LoggingMessageFormatter writes the same and also logs each record
/// on stderr in Kafka's log4j layout; NoOpMessageFormatter writes nothing. Any other property is
/// an error, except the deserializers' own (key.deserializer.*, ...), which they ignore.
/// </summary>
public sealed class RecordFormatter
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "print.timestamp", "print.partition", "print.offset", "print.headers", "print.key", "print.value", "key.separator", "line.separator",
        "headers.separator", "headers.key.separator", "null.literal", "key.deserializer", "value.deserializer", "headers.deserializer",
    };

    private readonly MessageFormatterKind _kind;
    private readonly bool _timestamp;
    private readonly bool _partition;
    private readonly bool _offset;
    private readonly bool _headers;
    private readonly bool _key;
    private readonly bool _value;
    private readonly byte[] _separator;
    private readonly byte[] _lineSeparator;
    private readonly byte[] _headersSeparator;
    private readonly byte[] _headersKeySeparator;
    private readonly byte[] _nullLiteral;
    private readonly Func<byte[], byte[]> _keyDeserializer;
    private readonly Func<byte[], byte[]> _valueDeserializer;
    private readonly Func<byte[], byte[]> _headersDeserializer;

    public RecordFormatter(IReadOnlyDictionary<string, string> properties, MessageFormatterKind kind = MessageFormatterKind.Default)
    {
        var unknown = properties.Keys.FirstOrDefault(k => !Known.Contains(k)
            && !k.StartsWith("key.deserializer.", StringComparison.Ordinal)
            && !k.StartsWith("value.deserializer.", StringComparison.Ordinal)
            && !k.StartsWith("headers.deserializer.", StringComparison.Ordinal));
        if (unknown is not null)
        {
            throw new ToolException($"--property: unknown formatter property '{unknown}' (known: {string.Join(", ", Known)})");
        }
        _kind = kind;
        _timestamp = Flag(properties, "print.timestamp", false);
        _partition = Flag(properties, "print.partition", false);
        _offset = Flag(properties, "print.offset", false);
        _headers = Flag(properties, "print.headers", false);
        _key = Flag(properties, "print.key", false);
        _value = Flag(properties, "print.value", true);
        _separator = Text(properties, "key.separator", "\t");
        _lineSeparator = Text(properties, "line.separator", "\n");
        _headersSeparator = Text(properties, "headers.separator", ",");
        _headersKeySeparator = Text(properties, "headers.key.separator", ":");
        _nullLiteral = Text(properties, "null.literal", "null");
        _keyDeserializer = Deserializer(properties, "key.deserializer");
        _valueDeserializer = Deserializer(properties, "value.deserializer");
        _headersDeserializer = Deserializer(properties, "headers.deserializer");
    }

    private static Func<byte[], byte[]> Deserializer(IReadOnlyDictionary<string, string> properties, string key) =>
        properties.TryGetValue(key, out var name) ? Deserializers.For(name, key) : bytes => bytes;

    /// <summary>Writes one record; a deserializer that cannot read it throws <see cref="FormatException"/> before anything is written.</summary>
    public void Write(Stream output, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (_kind == MessageFormatterKind.NoOp)
        {
            return;
        }
        var key = record.Message.Key is { } k ? _keyDeserializer(k) : _nullLiteral;
        var value = record.Message.Value is { } v ? _valueDeserializer(v) : _nullLiteral;
        var headers = _headers ? HeaderBytes(record.Message.Headers) : [];
        var first = true;
        if (_timestamp)
        {
            var ts = record.Message.Timestamp;
            Field(output, ref first, Encoding.UTF8.GetBytes(ts.Type switch
            {
                TimestampType.CreateTime => "CreateTime:" + ts.UnixTimestampMs.ToString(CultureInfo.InvariantCulture),
                TimestampType.LogAppendTime => "LogAppendTime:" + ts.UnixTimestampMs.ToString(CultureInfo.InvariantCulture),
                _ => "NO_TIMESTAMP",
            }));
        }
        if (_partition)
        {
            Field(output, ref first, Encoding.UTF8.GetBytes("Partition:" + record.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        }
        if (_offset)
        {
            Field(output, ref first, Encoding.UTF8.GetBytes("Offset:" + record.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        }
        if (_headers)
        {
            Field(output, ref first, headers);
        }
        if (_key)
        {
            Field(output, ref first, key);
        }
        if (_value)
        {
            Field(output, ref first, value);
        }
        output.Write(_lineSeparator);
        if (_kind == MessageFormatterKind.Logging)
        {
            Log(record, key, value);
        }
    }

    /// <summary>
    /// LoggingMessageFormatter's INFO line, in the layout of Kafka's tools-log4j.properties:
    /// <c>[yyyy-MM-dd HH:mm:ss,SSS] INFO [TYPE:TS, ]key:K, value:V (CLASS)</c>, where a null key
    /// is "key:null " without the comma, as Kafka writes it.
    /// </summary>
    private static void Log(ConsumeResult<byte[]?, byte[]?> record, byte[] key, byte[] value)
    {
        var ts = record.Message.Timestamp;
        var timestamp = ts.Type switch
        {
            TimestampType.CreateTime => $"CreateTime:{ts.UnixTimestampMs}, ",
            TimestampType.LogAppendTime => $"LogAppendTime:{ts.UnixTimestampMs}, ",
            _ => "",
        };
        var keyText = record.Message.Key is null ? "key:null " : $"key:{Encoding.UTF8.GetString(key)}, ";
        var valueText = record.Message.Value is null ? "value:null" : $"value:{Encoding.UTF8.GetString(value)}";
        var now = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture);
        Console.Error.WriteLine($"[{now}] INFO {timestamp}{keyText}{valueText} (org.apache.kafka.tools.consumer.LoggingMessageFormatter)");
    }

    private byte[] HeaderBytes(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return "NO_HEADERS"u8.ToArray();
        }
        using var buffer = new MemoryStream();
        for (var i = 0; i < headers.Count; i++)
        {
            if (i > 0)
            {
                buffer.Write(_headersSeparator);
            }
            buffer.Write(Encoding.UTF8.GetBytes(headers[i].Key));
            buffer.Write(_headersKeySeparator);
            buffer.Write(headers[i].GetValueBytes() is { } value ? _headersDeserializer(value) : _nullLiteral);
        }
        return buffer.ToArray();
    }

    private void Field(Stream output, ref bool first, byte[] bytes)
    {
        if (!first)
        {
            output.Write(_separator);
        }
        first = false;
        output.Write(bytes);
    }

    private static bool Flag(IReadOnlyDictionary<string, string> properties, string key, bool fallback) =>
        properties.TryGetValue(key, out var v) ? v.Equals("true", StringComparison.OrdinalIgnoreCase) : fallback;

    private static byte[] Text(IReadOnlyDictionary<string, string> properties, string key, string fallback) =>
        Encoding.UTF8.GetBytes(properties.GetValueOrDefault(key, fallback));
}
