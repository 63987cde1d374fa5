using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Snappier;
using ZstdSharp;

namespace Gregor.Protocol.Records;

/// <summary>
/// The codecs of record batches and legacy wrapper messages. Kafka's framings:
/// gzip = RFC 1952 stream; snappy = xerial snappy-java framing (16-byte header "\x82SNAPPY\0",
/// version 1, compatible version 1, then blocks of [int32 BE length][raw snappy]) for every magic
/// — a payload without that header is read as one raw snappy block, as snappy-java does;
/// lz4 = LZ4 frame format (<see cref="Lz4Frame"/>); zstd = zstd frame.
/// Decompression never produces more than the caller's limit: a compression bomb is refused
/// after at most limit+1 bytes of work, not after inflating it. No buffer is ever requested from
/// the pool larger than the limit — overflow is detected by a declared or decoded length or a
/// one-byte probe — so, as the pool rounds requests up to powers of two, the buffer held stays
/// within a power-of-two limit.
/// </summary>
public static class Compression
{
    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    private const int XerialHeaderSize = 16;
    private const int XerialBlockSize = 32 * 1024;

    /// <summary>Compresses on cold paths (building batches, conversion, compaction); returns a new array.</summary>
    public static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> input, bool lz4BrokenHeaderChecksum = false)
    {
        switch (codec)
        {
            case CompressionType.None:
                return input.ToArray();
            case CompressionType.Gzip:
                {
                    using var ms = new MemoryStream();
                    using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        gz.Write(input);
                    }
                    return ms.ToArray();
                }
            case CompressionType.Snappy:
                {
                    using var ms = new MemoryStream();
                    ms.Write(XerialMagic);
                    Span<byte> word = stackalloc byte[4];
                    BinaryPrimitives.WriteInt32BigEndian(word, 1);
                    ms.Write(word);
                    ms.Write(word);
                    var block = ArrayPool<byte>.Shared.Rent(Snappy.GetMaxCompressedLength(XerialBlockSize));
                    try
                    {
                        while (input.Length > 0)
                        {
                            var chunk = input[..Math.Min(XerialBlockSize, input.Length)];
                            input = input[chunk.Length..];
                            var n = Snappy.Compress(chunk, block);
                            BinaryPrimitives.WriteInt32BigEndian(word, n);
                            ms.Write(word);
                            ms.Write(block, 0, n);
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(block);
                    }
                    return ms.ToArray();
                }
            case CompressionType.Lz4:
                return Lz4Frame.Compress(input, lz4BrokenHeaderChecksum);
            case CompressionType.Zstd:
                {
                    using var compressor = new Compressor(3);
                    return compressor.Wrap(input).ToArray();
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown compression codec");
        }
    }

    /// <summary>
    /// Decompresses into a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns
    /// it, also on failure when non-empty). Fails when the input is malformed or inflates beyond
    /// <paramref name="maxSize"/> bytes.
    /// </summary>
    public static bool TryDecompress(CompressionType codec, ReadOnlySpan<byte> input, int maxSize, out byte[] output, out int length, out string? error)
    {
        maxSize = Math.Max(maxSize, 0);
        output = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(input.Length * 4L, Math.Min(256, maxSize), maxSize));
        length = 0;
        error = null;
        try
        {
            switch (codec)
            {
                case CompressionType.Gzip:
                    return ReadStream(s => new GZipStream(s, CompressionMode.Decompress), input, maxSize, ref output, out length, out error);
                case CompressionType.Zstd:
                    return ReadStream(s => new DecompressionStream(s), input, maxSize, ref output, out length, out error);
                case CompressionType.Lz4:
                    return Lz4Frame.TryDecompress(input, maxSize, ref output, out length, out error);
                case CompressionType.Snappy:
                    return TrySnappy(input, maxSize, ref output, out length, out error);
                default:
                    error = $"unknown compression codec {(int)codec}";
                    return false;
            }
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or ArgumentException or ZstdException or IOException)
        {
            error = $"{codec}: {e.Message}";
            return false;
        }
    }

    private static bool TrySnappy(ReadOnlySpan<byte> input, int maxSize, ref byte[] output, out int length, out string? error)
    {
        length = 0;
        error = null;
        if (input.Length < XerialHeaderSize || !input[..8].SequenceEqual(XerialMagic))
        {
            return TrySnappyBlock(input, maxSize, ref output, ref length, out error);
        }
        var pos = XerialHeaderSize;
        while (pos < input.Length)
        {
            if (pos + 4 > input.Length)
            {
                error = "snappy: truncated xerial block header";
                return false;
            }
            var n = BinaryPrimitives.ReadInt32BigEndian(input[pos..]);
            pos += 4;
            if (n < 0 || n > input.Length - pos)
            {
                error = "snappy: bad xerial block length";
                return false;
            }
            if (!TrySnappyBlock(input.Slice(pos, n), maxSize, ref output, ref length, out error))
            {
                return false;
            }
            pos += n;
        }
        return true;
    }

    private static bool TrySnappyBlock(ReadOnlySpan<byte> block, int maxSize, ref byte[] output, ref int length, out string? error)
    {
        error = null;
        var n = Snappy.GetUncompressedLength(block);
        if (n < 0 || n > maxSize - length)
        {
            error = "decompressed size exceeds the limit";
            return false;
        }
        if (!EnsureCapacity(ref output, length + n, length, maxSize))
        {
            error = "decompressed size exceeds the limit";
            return false;
        }
        if (!Snappy.TryDecompress(block, output.AsSpan(length, n), out var written) || written != n)
        {
            error = "snappy: corrupt block";
            return false;
        }
        length += n;
        return true;
    }

    private static unsafe bool ReadStream(Func<Stream, Stream> open, ReadOnlySpan<byte> input, int maxSize, ref byte[] output, out int length, out string? error)
    {
        length = 0;
        error = null;
        fixed (byte* p = input)
        {
            using var source = new UnmanagedMemoryStream(p, input.Length);
            using var stream = open(source);
            while (true)
            {
                if (length == output.Length)
                {
                    if (length >= maxSize)
                    {
                        // Full at the limit: one more byte means too large. Probing with a byte of
                        // its own keeps the buffer at the limit (growing it to limit+1 made the pool
                        // hand out an array twice the limit).
                        Span<byte> probe = stackalloc byte[1];
                        if (stream.Read(probe) == 0)
                        {
                            return true;
                        }
                        error = "decompressed size exceeds the limit";
                        return false;
                    }
                    EnsureCapacity(ref output, (int)Math.Min((long)output.Length * 2, maxSize), length, maxSize);
                }
                var n = stream.Read(output, length, output.Length - length);
                if (n == 0)
                {
                    return true;
                }
                length += n;
                if (length > maxSize)
                {
                    error = "decompressed size exceeds the limit";
                    return false;
                }
            }
        }
    }

    /// <summary>
    /// Grows a pooled buffer to at least <paramref name="needed"/> bytes keeping the first
    /// <paramref name="keep"/>; false when <paramref name="needed"/> is beyond <paramref name="limit"/>.
    /// The request to the pool never exceeds <paramref name="limit"/>: doubling stops there.
    /// </summary>
    internal static bool EnsureCapacity(ref byte[] buffer, int needed, int keep, int limit)
    {
        if (needed < 0 || needed > limit)
        {
            return false;
        }
        if (buffer.Length >= needed)
        {
            return true;
        }
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, (long)buffer.Length * 2), limit));
        buffer.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
        return true;
    }
}
