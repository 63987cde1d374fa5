using System.Buffers.Binary;
using System.Numerics;

namespace Gregor.Protocol.Records;

/// <summary>XXH32 (seed 0 unless given), used by the LZ4 frame format for its header and content checksums.</summary>
internal static class XxHash32
{
    private const uint P1 = 2654435761u;
    private const uint P2 = 2246822519u;
    private const uint P3 = 3266489917u;
    private const uint P4 = 668265263u;
    private const uint P5 = 374761393u;

    public static uint Hash(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var length = (uint)data.Length;
        uint h;
        if (data.Length >= 16)
        {
            uint v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
            while (data.Length >= 16)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt32LittleEndian(data));
                v2 = Round(v2, BinaryPrimitives.ReadUInt32LittleEndian(data[4..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt32LittleEndian(data[8..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt32LittleEndian(data[12..]));
                data = data[16..];
            }
            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
        }
        else
        {
            h = seed + P5;
        }
        h += length;
        while (data.Length >= 4)
        {
            h += BinaryPrimitives.ReadUInt32LittleEndian(data) * P3;
            h = BitOperations.RotateLeft(h, 17) * P4;
            data = data[4..];
        }
        foreach (var b in data)
        {
            h += b * P5;
            h = BitOperations.RotateLeft(h, 11) * P1;
        }
        h ^= h >> 15;
        h *= P2;
        h ^= h >> 13;
        h *= P3;
        h ^= h >> 16;
        return h;
    }

    private static uint Round(uint acc, uint input) => BitOperations.RotateLeft(acc + (input * P2), 13) * P1;
}
