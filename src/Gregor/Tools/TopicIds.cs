using System.Buffers.Binary;

namespace Gregor.Tools;

/// <summary>Kafka prints topic ids as the 16 big-endian bytes in URL-safe base64 without padding.</summary>
public static class TopicIds
{
    /// <summary>No id: Kafka's zero id, which describe leaves out.</summary>
    public static bool IsNone(Confluent.Kafka.Uuid? id) => id is null || (id.MostSignificantBits == 0 && id.LeastSignificantBits == 0);

    public static string Format(Confluent.Kafka.Uuid? id)
    {
        if (id is null)
        {
            return "none";
        }
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, id.MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], id.LeastSignificantBits);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
