using System.Text;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Turns a console-producer input line into a record, with kafka-console-producer.sh's
/// properties and defaults:
/// <c>[HEADERS headers.delimiter] [KEY key.separator] VALUE</c>, where HEADERS is
/// <c>k1:v1,k2:v2</c> (headers.separator ",", headers.key.separator ":"; a header without
/// the key separator has a null value). parse.key and parse.headers default to false;
/// key.separator and headers.delimiter default to a tab. A key or value equal to null.marker
/// is null. A line missing a separator is an error unless ignore.error=true, which then
/// takes the rest of the line as the value.
/// </summary>
public sealed class LineRecordParser
{
    private readonly bool _parseKey;
    private readonly bool _parseHeaders;
    private readonly bool _ignoreError;
    private readonly string _keySeparator;
    private readonly string _headersDelimiter;
    private readonly string _headersSeparator;
    private readonly string _headersKeySeparator;
    private readonly string? _nullMarker;

    public LineRecordParser(IReadOnlyDictionary<string, string> properties)
    {
        _parseKey = Flag(properties, "parse.key");
        _parseHeaders = Flag(properties, "parse.headers");
        _ignoreError = Flag(properties, "ignore.error");
        _keySeparator = NonEmpty(properties, "key.separator", "\t");
        _headersDelimiter = NonEmpty(properties, "headers.delimiter", "\t");
        _headersSeparator = NonEmpty(properties, "headers.separator", ",");
        _headersKeySeparator = NonEmpty(properties, "headers.key.separator", ":");
        _nullMarker = properties.GetValueOrDefault("null.marker");
    }

    public Message<byte[]?, byte[]?> Parse(string line, long lineNumber)
    {
        var message = new Message<byte[]?, byte[]?>();
        var rest = line;
        if (_parseHeaders)
        {
            var at = rest.IndexOf(_headersDelimiter, StringComparison.Ordinal);
            if (at < 0)
            {
                Missing("headers delimiter", lineNumber, line);
            }
            else
            {
                message.Headers = ParseHeaders(rest[..at]);
                rest = rest[(at + _headersDelimiter.Length)..];
            }
        }
        if (_parseKey)
        {
            var at = rest.IndexOf(_keySeparator, StringComparison.Ordinal);
            if (at < 0)
            {
                Missing("key separator", lineNumber, line);
            }
            else
            {
                message.Key = Bytes(rest[..at]);
                rest = rest[(at + _keySeparator.Length)..];
            }
        }
        message.Value = Bytes(rest);
        return message;
    }

    private Headers ParseHeaders(string text)
    {
        var headers = new Headers();
        if (text.Length == 0 || text == _nullMarker)
        {
            return headers;
        }
        foreach (var entry in text.Split(_headersSeparator))
        {
            var at = entry.IndexOf(_headersKeySeparator, StringComparison.Ordinal);
            var key = at < 0 ? entry : entry[..at];
            var value = at < 0 ? null : Bytes(entry[(at + _headersKeySeparator.Length)..]);
            headers.Add(key, value);
        }
        return headers;
    }

    private byte[]? Bytes(string text) => text == _nullMarker ? null : Encoding.UTF8.GetBytes(text);

    private void Missing(string what, long lineNumber, string line)
    {
        if (!_ignoreError)
        {
            throw new ToolException($"no {what} found on line {lineNumber}: '{line}'");
        }
    }

    private static bool Flag(IReadOnlyDictionary<string, string> properties, string key) =>
        properties.TryGetValue(key, out var v) && v.Equals("true", StringComparison.OrdinalIgnoreCase);

    private static string NonEmpty(IReadOnlyDictionary<string, string> properties, string key, string fallback) =>
        properties.TryGetValue(key, out var v) && v.Length > 0 ? v : fallback;
}
