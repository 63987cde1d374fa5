using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace Gregor.Protocol.Records;

/// <summary>
/// The LZ4 frame format, which Kafka uses for lz4-compressed batches and wrapper messages:
/// <code>
/// magic 0x184D2204 (LE) | FLG | BD | [content size 8] | [dict id 4] | HC
/// blocks: size uint32 LE (high bit = stored uncompressed, 0 = end mark) | data | [block checksum 4]
/// [content checksum 4]
/// </code>
/// HC is byte 1 of XXH32 over the descriptor (FLG..dict id). Kafka's message format v0 computed it
/// over the magic as well; decoding therefore does not insist on HC, and encoding can reproduce the
/// old checksum for v0 consumers.
/// </summary>
public static class Lz4Frame
{
    private const uint Magic = 0x184D2204;
    private const int BlockSize = 64 * 1024;

    public static byte[] Compress(ReadOnlySpan<byte> input, bool brokenHeaderChecksum = false)
    {
        var max = 7 + input.Length + ((input.Length / BlockSize) + 1) * (4 + LZ4Codec.MaximumOutputSize(BlockSize) - BlockSize) + 4 + 64;
        var output = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output, Magic);
            output[4] = 0x60; // version 01, independent blocks, no checksums, no content size
            output[5] = 0x40; // 64 KiB blocks
            var hc = brokenHeaderChecksum ? System.IO.Hashing.XxHash32.HashToUInt32(output.AsSpan(0, 6)) : System.IO.Hashing.XxHash32.HashToUInt32(output.AsSpan(4, 2));
            output[6] = (byte)(hc >> 8);
            var pos = 7;
            while (input.Length > 0)
            {
                var chunk = input[..Math.Min(BlockSize, input.Length)];
                input = input[chunk.Length..];
                var written = LZ4Codec.Encode(chunk, output.AsSpan(pos + 4, LZ4Codec.MaximumOutputSize(chunk.Length)));
                if (written <= 0 || written >= chunk.Length)
                {
                    chunk.CopyTo(output.AsSpan(pos + 4));
                    BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(pos), 0x80000000u | (uint)chunk.Length);
                    pos += 4 + chunk.Length;
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(pos), (uint)written);
                    pos += 4 + written;
                }
            }
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(pos), 0);
            pos += 4;
            return output.AsSpan(0, pos).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>
    /// Decodes a frame into <paramref name="output"/> (growing it from the pool, never beyond
    /// <paramref name="maxSize"/>); returns the decoded length or an error.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, int maxSize, ref byte[] output, out int length, out string? error)
    {
        length = 0;
        error = null;
        if (input.Length < 7 || BinaryPrimitives.ReadUInt32LittleEndian(input) != Magic)
        {
            error = "lz4: bad frame magic";
            return false;
        }
        var flg = input[4];
        var bd = input[5];
        if ((flg >> 6) != 1)
        {
            error = "lz4: unsupported frame version";
            return false;
        }
        var blockChecksum = (flg & 0x10) != 0;
        var contentSize = (flg & 0x08) != 0;
        var contentChecksum = (flg & 0x04) != 0;
        var dictId = (flg & 0x01) != 0;
        var blockMax = ((bd >> 4) & 7) switch { 4 => 64 << 10, 5 => 256 << 10, 6 => 1 << 20, 7 => 4 << 20, _ => -1 };
        if (blockMax < 0)
        {
            error = "lz4: bad block size";
            return false;
        }
        var pos = 6 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
        while (true)
        {
            if (pos + 4 > input.Length)
            {
                error = "lz4: truncated frame";
                return false;
            }
            var size = BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]);
            pos += 4;
            if (size == 0)
            {
                break;
            }
            var stored = (size & 0x80000000u) != 0;
            var n = (int)(size & 0x7FFFFFFF);
            if (n > input.Length - pos || n > blockMax)
            {
                error = "lz4: bad block length";
                return false;
            }
            var block = input.Slice(pos, n);
            pos += n + (blockChecksum ? 4 : 0);
            if (stored)
            {
                if (!Compression.EnsureCapacity(ref output, length + n, length, maxSize))
                {
                    error = "decompressed size exceeds the limit";
                    return false;
                }
                block.CopyTo(output.AsSpan(length));
                length += n;
            }
            else
            {
                // A block decodes to at most blockMax bytes, and output never passes the limit, so
                // the room offered is whichever is smaller; the buffer never outgrows the limit.
                var room = Math.Min(blockMax, maxSize - length);
                if (!Compression.EnsureCapacity(ref output, length + room, length, maxSize))
                {
                    error = "decompressed size exceeds the limit";
                    return false;
                }
                var decoded = LZ4Codec.Decode(block, output.AsSpan(length, room));
                if (decoded < 0)
                {
                    // Decoding fails both on a corrupt block and on one larger than the room; when
                    // the limit cut the room short, the block's own sequence lengths tell which.
                    error = room < blockMax && DecodedLength(block) > room ? "decompressed size exceeds the limit" : "lz4: corrupt block";
                    return false;
                }
                length += decoded;
            }
        }
        if (contentChecksum && pos + 4 > input.Length)
        {
            error = "lz4: truncated frame";
            return false;
        }
        return true;
    }

    /// <summary>
    /// The bytes an LZ4 block decodes to, summed from its sequence headers without decoding, or -1
    /// when the sequences do not fit the block. A block is sequences of
    /// token (literal length high nibble, match length − 4 low nibble; 15 = more length bytes follow,
    /// each added, until one below 255) | literals | offset 2 LE | [match length bytes],
    /// the last of which stops after its literals.
    /// </summary>
    internal static long DecodedLength(ReadOnlySpan<byte> block)
    {
        long total = 0;
        var pos = 0;
        while (pos < block.Length)
        {
            var token = block[pos++];
            long literals = token >> 4;
            if (literals == 15 && !TryReadLengthBytes(block, ref pos, ref literals))
            {
                return -1;
            }
            if (literals > block.Length - pos)
            {
                return -1;
            }
            pos += (int)literals;
            total += literals;
            if (pos == block.Length)
            {
                return total;
            }
            if (block.Length - pos < 2)
            {
                return -1;
            }
            pos += 2;
            long match = token & 15;
            if (match == 15 && !TryReadLengthBytes(block, ref pos, ref match))
            {
                return -1;
            }
            total += match + 4;
        }
        return -1;
    }

    private static bool TryReadLengthBytes(ReadOnlySpan<byte> block, ref int pos, ref long value)
    {
        byte b;
        do
        {
            if (pos >= block.Length)
            {
                return false;
            }
            b = block[pos++];
            value += b;
        }
        while (b == 255);
        return true;
    }
}
