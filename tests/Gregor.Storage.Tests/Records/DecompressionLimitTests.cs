using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Records;

/// <summary>
/// A compression bomb is refused without the buffer ever outgrowing the limit: the stream codecs
/// used to grow to limit+1 bytes, which the shared pool rounds up to twice the limit.
/// </summary>
public sealed class DecompressionLimitTests
{
    private const int Limit = 8 << 20;

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Zstd)]
    public void A_bomb_is_refused_with_a_buffer_no_larger_than_the_limit(CompressionType codec)
    {
        var bomb = Compression.Compress(codec, new byte[Limit * 4]);
        Assert.False(Compression.TryDecompress(codec, bomb, Limit, out var output, out _, out var error));
        Assert.Contains("exceeds", error);
        Assert.True(output.Length <= Limit, $"decompression buffer of {output.Length} bytes for a limit of {Limit}");
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Zstd)]
    public void Exactly_the_limit_is_accepted(CompressionType codec)
    {
        var data = new byte[Limit];
        new Random(7).NextBytes(data.AsSpan(0, 1000));
        var compressed = Compression.Compress(codec, data);
        Assert.True(Compression.TryDecompress(codec, compressed, Limit, out var output, out var length, out var error), error);
        Assert.Equal(Limit, length);
        Assert.True(output.AsSpan(0, length).SequenceEqual(data));
    }
}
