namespace Gregor.Protocol.Records;

/// <summary>
/// CRC-32 (IEEE 802.3), the checksum of legacy messages (magic 0 and 1), computed from the magic
/// byte to the end of the message.
/// </summary>
public static class Crc32Ieee
{
    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);
}
