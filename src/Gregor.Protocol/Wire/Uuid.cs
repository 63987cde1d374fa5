using System.Buffers.Binary;

namespace Gregor.Protocol.Wire;

/// <summary>
/// Kafka's UUID: 16 bytes on the wire, most significant 8 bytes first (big-endian), printed as
/// URL-safe base64 without padding (22 characters), as Kafka prints topic ids and cluster ids.
/// </summary>
public readonly record struct Uuid(long MostSignificantBits, long LeastSignificantBits)
{
    public static readonly Uuid Zero = new(0, 0);

    public bool IsZero => MostSignificantBits == 0 && LeastSignificantBits == 0;

    /// <summary>A random version-4 UUID that is neither zero nor Kafka's reserved metadata id (0, 1)
    /// and whose base64 form does not start with '-' (Kafka avoids those for command lines).</summary>
    public static Uuid NewRandom()
    {
        Span<byte> bytes = stackalloc byte[16];
        while (true)
        {
            Guid.NewGuid().TryWriteBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
            var id = new Uuid(BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes[8..]));
            if (!id.IsZero && id != new Uuid(0, 1) && !id.ToString().StartsWith('-'))
            {
                return id;
            }
        }
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public static Uuid ReadFrom(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteTo(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryParse(string? text, out Uuid id)
    {
        id = Zero;
        // Only the URL-safe alphabet: '+' and '/' would give a second spelling of the same id.
        if (text is null || text.Length != 22 || text.AsSpan().IndexOfAny('+', '/') >= 0)
        {
            return false;
        }
        var base64 = text.Replace('-', '+').Replace('_', '/') + "==";
        Span<byte> bytes = stackalloc byte[18];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
        {
            return false;
        }
        id = ReadFrom(bytes);
        return true;
    }
}
