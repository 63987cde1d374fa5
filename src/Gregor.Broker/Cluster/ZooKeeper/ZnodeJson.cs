using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// Reading and writing the JSON Kafka keeps in znodes. Readers check each field's JSON type as
/// Kafka writes it and report the first defect as text instead of throwing.
/// </summary>
internal static class ZnodeJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    /// <summary>Parses <paramref name="data"/> as a JSON object, or says why it is not one.</summary>
    public static JsonDocument? TryParseObject(ReadOnlySpan<byte> data, out string? error)
    {
        if (data.IsEmpty)
        {
            error = "empty payload";
            return null;
        }
        try
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
            var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"expected a JSON object, found {document.RootElement.ValueKind}";
                document.Dispose();
                return null;
            }
            error = null;
            return document;
        }
        catch (JsonException e)
        {
            error = $"invalid JSON: {e.Message}";
            return null;
        }
    }

    public static bool TryGetInt(JsonElement obj, string name, out int value, out string? error)
    {
        value = 0;
        if (!obj.TryGetProperty(name, out var element))
        {
            error = $"missing \"{name}\"";
            return false;
        }
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out value))
        {
            error = $"\"{name}\" is not a 32-bit integer";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>A required integer Kafka writes as a decimal string (e.g. producer id block bounds).</summary>
    public static bool TryGetLongString(JsonElement obj, string name, out long value, out string? error)
    {
        value = 0;
        if (!obj.TryGetProperty(name, out var element))
        {
            error = $"missing \"{name}\"";
            return false;
        }
        if (element.ValueKind != JsonValueKind.String
            || !long.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            error = $"\"{name}\" is not a decimal string";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>An optional string: absent or null gives null; any other non-string is a defect.</summary>
    public static bool TryGetOptionalString(JsonElement obj, string name, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"\"{name}\" is not a string";
            return false;
        }
        value = element.GetString();
        return true;
    }

    public static bool TryGetIntArray(JsonElement element, string name, out int[] values, out string? error)
    {
        values = [];
        if (element.ValueKind != JsonValueKind.Array)
        {
            error = $"\"{name}\" is not an array";
            return false;
        }
        var result = new int[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out result[i++]))
            {
                error = $"\"{name}\" holds a non-integer";
                return false;
            }
        }
        values = result;
        error = null;
        return true;
    }

    /// <summary>Writes one JSON document with <paramref name="write"/> and returns its UTF-8 bytes.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = KafkaLikeEncoder }))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteIntArray(Utf8JsonWriter writer, string name, IReadOnlyList<int> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteNumberValue(value);
        }
        writer.WriteEndArray();
    }

    public static string Text(ReadOnlySpan<byte> data) => Encoding.UTF8.GetString(data);

    // Jackson escapes only what JSON requires; the default encoder of System.Text.Json would also
    // escape '<', '>', '+' and non-ASCII, which Kafka's tools would show differently.
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder KafkaLikeEncoder =
        System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
}
