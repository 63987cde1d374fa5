using System.Buffers.Binary;
using Gregor.Protocol.Records;
using K4os.Compression.LZ4;
using Snappier;

namespace Gregor.Storage.Tests.Records;

/// <summary>
/// A compression bomb is refused without the buffer ever outgrowing the limit. Growing to limit+1
/// bytes, or doubling past the limit, made the shared pool (which rounds up to powers of two) hand
/// out an array twice the limit. Each framing is tried with a small input, which reaches the limit
/// by growing the buffer, and with a large one, which sizes the first buffer from the input.
/// </summary>
public sealed class DecompressionLimitTests
{
    private const int Limit = 1 << 20;

    [Theory]
    [InlineData(Framing.Gzip, 4)]
    [InlineData(Framing.Gzip, 64)]
    [InlineData(Framing.Zstd, 4)]
    [InlineData(Framing.Zstd, 64)]
    [InlineData(Framing.Lz4, 4)]
    [InlineData(Framing.Lz4, 64)]
    [InlineData(Framing.Lz4LargeBlocks, 4)]
    [InlineData(Framing.SnappyXerial, 4)]
    [InlineData(Framing.SnappyXerial, 64)]
    [InlineData(Framing.SnappyRaw, 4)]
    [InlineData(Framing.SnappyRaw, 64)]
    public void A_bomb_is_refused_with_a_buffer_no_larger_than_the_limit(Framing framing, int inflation)
    {
        var bomb = Compress(framing, new byte[Limit * inflation]);
        Assert.False(Compression.TryDecompress(Codec(framing), bomb, Limit, out var output, out _, out var error));
        Assert.Contains("exceeds the limit", error);
        Assert.True(output.Length <= Limit, $"decompression buffer of {output.Length} bytes for a limit of {Limit}");
    }

    [Theory]
    [InlineData(Framing.Gzip)]
    [InlineData(Framing.Zstd)]
    [InlineData(Framing.Lz4)]
    [InlineData(Framing.Lz4LargeBlocks)]
    [InlineData(Framing.SnappyXerial)]
    [InlineData(Framing.SnappyRaw)]
    public void Exactly_the_limit_is_accepted(Framing framing)
    {
        var data = new byte[Limit];
        new Random(7).NextBytes(data.AsSpan(0, 1000));
        var compressed = Compress(framing, data);
        Assert.True(Compression.TryDecompress(Codec(framing), compressed, Limit, out var output, out var length, out var error), error);
        Assert.Equal(Limit, length);
        Assert.True(output.Length <= Limit, $"decompression buffer of {output.Length} bytes for a limit of {Limit}");
        Assert.True(output.AsSpan(0, length).SequenceEqual(data));
    }

    [Fact]
    public void A_truncated_lz4_block_that_the_limit_cuts_short_is_corrupt_not_too_large()
    {
        // The block may decode to 4 MiB, more than the 1 MiB of room, so decoding fails either way;
        // what it would have decoded to decides the message.
        var data = new byte[Limit / 2];
        new Random(7).NextBytes(data);
        var frame = Compress(Framing.Lz4LargeBlocks, data);
        var blockLength = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(7));
        var truncated = frame.AsSpan(0, 7 + 4 + blockLength - 100).ToArray().Concat(new byte[4]).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(truncated.AsSpan(7), blockLength - 100);
        Assert.False(Compression.TryDecompress(CompressionType.Lz4, truncated, Limit, out var output, out _, out var error));
        Assert.Contains("corrupt", error);
        Assert.True(output.Length <= Limit, $"decompression buffer of {output.Length} bytes for a limit of {Limit}");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(300, 0)]
    [InlineData(70_000, 0)]
    [InlineData(70_000, 1)]
    [InlineData(4 << 20, 2)]
    public void The_lz4_decoded_length_read_from_sequence_headers_matches_decoding(int size, int content)
    {
        // content 0: zeros (long matches), 1: random (long literal runs), 2: text (both).
        var data = new byte[size];
        if (content == 1)
        {
            new Random(7).NextBytes(data);
        }
        else if (content == 2)
        {
            var random = new Random(7);
            for (var i = 0; i < size; i++)
            {
                data[i] = random.Next(8) == 0 ? (byte)random.Next(256) : (byte)('a' + i % 23);
            }
        }
        var block = new byte[LZ4Codec.MaximumOutputSize(size)];
        var n = LZ4Codec.Encode(data, block);
        Assert.Equal(size, Lz4Frame.DecodedLength(block.AsSpan(0, n)));
        Assert.Equal(-1, Lz4Frame.DecodedLength(block.AsSpan(0, n - 1)));
    }

    public enum Framing
    {
        Gzip,
        Zstd,
        /// <summary>LZ4 frame of 64 KiB blocks, as the broker writes them.</summary>
        Lz4,
        /// <summary>LZ4 frame of one block declared up to 4 MiB, more than the limit.</summary>
        Lz4LargeBlocks,
        /// <summary>snappy-java's xerial framing of 32 KiB blocks.</summary>
        SnappyXerial,
        /// <summary>One raw snappy block, without the xerial header.</summary>
        SnappyRaw,
    }

    private static CompressionType Codec(Framing framing) => framing switch
    {
        Framing.Gzip => CompressionType.Gzip,
        Framing.Zstd => CompressionType.Zstd,
        Framing.Lz4 or Framing.Lz4LargeBlocks => CompressionType.Lz4,
        _ => CompressionType.Snappy,
    };

    private static byte[] Compress(Framing framing, byte[] data) => framing switch
    {
        Framing.Lz4LargeBlocks => Lz4FrameOfOneBlock(data),
        Framing.SnappyRaw => Snappy.CompressToArray(data),
        _ => Compression.Compress(Codec(framing), data),
    };

    /// <summary>magic | FLG 0x60 | BD 0x70 (4 MiB blocks) | HC (not checked) | size | block | end mark.</summary>
    private static byte[] Lz4FrameOfOneBlock(byte[] data)
    {
        var block = new byte[LZ4Codec.MaximumOutputSize(data.Length)];
        var n = LZ4Codec.Encode(data, block);
        var frame = new byte[7 + 4 + n + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 0x184D2204);
        frame[4] = 0x60;
        frame[5] = 0x70;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(7), n);
        block.AsSpan(0, n).CopyTo(frame.AsSpan(11));
        return frame;
    }
}
