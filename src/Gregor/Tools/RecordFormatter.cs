using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Writes consumed records as kafka-console-consumer.sh's default formatter does, bytes
/// unchanged: <c>[CreateTime:TS] [Partition:P] [Offset:O] [HEADERS] [KEY] VALUE</c>, the fields
/// joined by key.separator (default a tab) and each record ended by line.separator (default
/// "\n"). Properties: print.timestamp, print.partition, print.offset, print.headers, print.key
/// (all default false), print.value (default true); headers as <c>k:v,k:v</c>
/// (headers.separator, headers.key.separator) or NO_HEADERS; null keys, values and header
/// values print as null.literal (default "null").
/// </summary>
public sealed class RecordFormatter
{
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

    public RecordFormatter(IReadOnlyDictionary<string, string> properties)
    {
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
    }

    public void Write(Stream output, ConsumeResult<byte[]?, byte[]?> record)
    {
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
            Field(output, ref first, HeaderBytes(record.Message.Headers));
        }
        if (_key)
        {
            Field(output, ref first, record.Message.Key ?? _nullLiteral);
        }
        if (_value)
        {
            Field(output, ref first, record.Message.Value ?? _nullLiteral);
        }
        output.Write(_lineSeparator);
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
            buffer.Write(headers[i].GetValueBytes() ?? _nullLiteral);
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
