using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Gregor.Tools;

/// <summary>
/// Kafka's standard deserializers, as kafka-console-consumer.sh's key.deserializer /
/// value.deserializer / headers.deserializer name them (org.apache.kafka.common.serialization.X):
/// each turns a record's bytes into the text Java's toString of the result prints. String and
/// ByteArray (and Bytes) print the bytes unchanged; numbers are big-endian two's complement (IEEE
/// 754 for Double and Float) of exactly their size; UUID is the text form, printed canonically.
/// A record that does not fit is a <see cref="FormatException"/> with Kafka's message.
/// </summary>
public static class Deserializers
{
    private const string Package = "org.apache.kafka.common.serialization.";

    private static readonly Dictionary<string, Func<byte[], byte[]>> ByName = new(StringComparer.Ordinal)
    {
        ["StringDeserializer"] = bytes => bytes,
        ["ByteArrayDeserializer"] = bytes => bytes,
        ["BytesDeserializer"] = bytes => bytes,
        ["LongDeserializer"] = bytes => Text(BinaryPrimitives.ReadInt64BigEndian(Sized(bytes, 8, "LongDeserializer"))),
        ["IntegerDeserializer"] = bytes => Text(BinaryPrimitives.ReadInt32BigEndian(Sized(bytes, 4, "IntegerDeserializer"))),
        ["ShortDeserializer"] = bytes => Text(BinaryPrimitives.ReadInt16BigEndian(Sized(bytes, 2, "ShortDeserializer"))),
        ["DoubleDeserializer"] = bytes => Encoding.UTF8.GetBytes(JavaNumbers.Format(BinaryPrimitives.ReadDoubleBigEndian(Sized(bytes, 8, "DoubleDeserializer")))),
        ["FloatDeserializer"] = bytes => Encoding.UTF8.GetBytes(JavaNumbers.Format(BinaryPrimitives.ReadSingleBigEndian(Sized(bytes, 4, "FloatDeserializer")))),
        ["UUIDDeserializer"] = bytes => Guid.TryParse(Encoding.UTF8.GetString(bytes), out var id)
            ? Encoding.UTF8.GetBytes(id.ToString("D"))
            : throw new FormatException("Error parsing data into UUID"),
    };

    /// <summary>The deserializer a class name (full, or without the package) names; unknown ones are a <see cref="ToolException"/>.</summary>
    public static Func<byte[], byte[]> For(string className, string property)
    {
        var name = className.StartsWith(Package, StringComparison.Ordinal) ? className[Package.Length..] : className;
        return ByName.TryGetValue(name, out var deserializer)
            ? deserializer
            : throw new ToolException($"{property}: unknown deserializer '{className}' (supported: {string.Join(", ", ByName.Keys.Select(k => Package + k))})");
    }

    private static ReadOnlySpan<byte> Sized(byte[] bytes, int size, string name) =>
        bytes.Length == size ? bytes : throw new FormatException($"Size of data received by {name} is not {size}");

    private static byte[] Text(long value) => Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
