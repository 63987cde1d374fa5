using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Wire;

/// <summary>Uuid: 16 bytes, most significant half first; text form is unpadded URL-safe base64.</summary>
public sealed class UuidTests
{
    private static readonly Uuid Sample = new(0x0102030405060708, 0x090a0b0c0d0e0f10);

    [Fact]
    public void IsWrittenMostSignificantBitsFirst()
    {
        using var writer = new KafkaWriter();
        writer.WriteUuid(Sample);
        Assert.Equal("0102030405060708090a0b0c0d0e0f10", Hex.Format(writer.WrittenSpan));
        var reader = new KafkaReader(writer.ToArray());
        Assert.Equal(Sample, reader.ReadUuid());
    }

    [Fact]
    public void TextIsUnpaddedUrlSafeBase64()
    {
        Assert.Equal("AQIDBAUGBwgJCgsMDQ4PEA", Sample.ToString());
        Assert.True(Uuid.TryParse("AQIDBAUGBwgJCgsMDQ4PEA", out var parsed));
        Assert.Equal(Sample, parsed);
        // Bytes fb ff .. use the URL-safe alphabet ('-' and '_', not '+' and '/').
        var urlSafe = new Uuid(unchecked((long)0xfbffbfffffffffff), -1);
        Assert.Equal("-_-__________________w", urlSafe.ToString());
        Assert.True(Uuid.TryParse(urlSafe.ToString(), out var back));
        Assert.Equal(urlSafe, back);
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", Uuid.Zero.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AQIDBAUGBwgJCgsMDQ4PE")] // 21 characters
    [InlineData("AQIDBAUGBwgJCgsMDQ4PEAA")] // 23 characters
    [InlineData("AQIDBAUGBwgJCgsMDQ4P!A")] // not base64
    [InlineData("+_-__________________w")] // standard-alphabet '+' is not URL-safe base64
    [InlineData("-/-__________________w")] // standard-alphabet '/' is not URL-safe base64
    public void MalformedTextIsRejected(string? text)
    {
        Assert.False(Uuid.TryParse(text, out var id));
        Assert.Equal(Uuid.Zero, id);
    }

    [Fact]
    public void RandomIdsRoundTripThroughTextAndAreNeverReserved()
    {
        for (var i = 0; i < 200; i++)
        {
            var id = Uuid.NewRandom();
            Assert.False(id.IsZero);
            Assert.NotEqual(new Uuid(0, 1), id);
            Assert.False(id.ToString().StartsWith('-'));
            Assert.Equal(22, id.ToString().Length);
            Assert.True(Uuid.TryParse(id.ToString(), out var parsed));
            Assert.Equal(id, parsed);
        }
    }
}
