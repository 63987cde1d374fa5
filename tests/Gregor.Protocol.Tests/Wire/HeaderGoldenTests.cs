using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Wire;

/// <summary>Request header v0/v1/v2 and response header v0/v1 against hand-built bytes, both directions.</summary>
public sealed class HeaderGoldenTests
{
    private static byte[] Written(Action<KafkaWriter> write)
    {
        using var writer = new KafkaWriter();
        write(writer);
        return writer.ToArray();
    }

    [Theory]
    [InlineData((short)0, "client", "0003 000c 0000002a")]
    [InlineData((short)1, "client", "0003 000c 0000002a 0006636c69656e74")]
    [InlineData((short)1, null, "0003 000c 0000002a ffff")]
    [InlineData((short)2, "client", "0003 000c 0000002a 0006636c69656e74 00")]
    [InlineData((short)2, null, "0003 000c 0000002a ffff 00")]
    public void RequestHeaderVersions(short headerVersion, string? clientId, string hex)
    {
        var header = new RequestHeader(ApiKey: 3, ApiVersion: 12, CorrelationId: 42, clientId);
        Assert.Equal(Hex.Format(Hex.Parse(hex)), Hex.Format(Written(w => header.Write(w, headerVersion))));
        var reader = new KafkaReader(Hex.Parse(hex));
        var read = RequestHeader.Read(ref reader, headerVersion);
        Assert.True(reader.IsAtEnd);
        Assert.Equal(headerVersion == 0 ? header with { ClientId = null } : header, read);
    }

    [Fact]
    public void RequestHeaderV2ClientIdUsesAnInt16LengthAndUnknownTagsAreSkipped()
    {
        // client id "c" with an int16 length even though the header is flexible; then one tagged field.
        var bytes = new ByteBuilder().Int16(18).Int16(3).Int32(7).String("c").UnsignedVarInt(1).TaggedField(5, [9, 9]).Int8(0x55).ToArray();
        var reader = new KafkaReader(bytes);
        Assert.Equal(new RequestHeader(18, 3, 7, "c"), RequestHeader.Read(ref reader, 2));
        Assert.Equal(0x55, reader.ReadInt8());
    }

    [Fact]
    public void ResponseHeaders()
    {
        Assert.Equal("0000002a", Hex.Format(Written(w => ResponseHeader.Write(w, 42, 0))));
        Assert.Equal("0000002a00", Hex.Format(Written(w => ResponseHeader.Write(w, 42, 1))));
        var v0 = new KafkaReader(Hex.Parse("0000002a"));
        Assert.Equal(42, ResponseHeader.Read(ref v0, 0));
        Assert.True(v0.IsAtEnd);
        var v1 = new KafkaReader(Hex.Parse("ffffffff 01 00 01 07"));
        Assert.Equal(-1, ResponseHeader.Read(ref v1, 1));
        Assert.True(v1.IsAtEnd);
    }

    [Fact]
    public void TruncatedHeadersAreRejected()
    {
        ReaderAssert.Throws(Hex.Parse("0003 000c 0000"), (ref r) => RequestHeader.Read(ref r, 0));
        ReaderAssert.Throws(Hex.Parse("0003 000c 0000002a 0006 6162"), (ref r) => RequestHeader.Read(ref r, 1));
        ReaderAssert.Throws(Hex.Parse("0003 000c 0000002a ffff"), (ref r) => RequestHeader.Read(ref r, 2));
    }
}
