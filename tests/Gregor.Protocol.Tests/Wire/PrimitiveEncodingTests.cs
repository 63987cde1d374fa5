using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Wire;

/// <summary>Fixed-width, string, bytes and array-count encodings against hand-computed bytes, both directions.</summary>
public sealed class PrimitiveEncodingTests
{
    private static string Written(Action<KafkaWriter> write)
    {
        using var writer = new KafkaWriter(initialCapacity: 1); // also exercises growth
        write(writer);
        return Hex.Format(writer.WrittenSpan);
    }

    [Fact]
    public void FixedWidthIntegersAreBigEndian()
    {
        Assert.Equal("fe", Written(w => w.WriteInt8(-2)));
        Assert.Equal("1234", Written(w => w.WriteInt16(0x1234)));
        Assert.Equal("fffe", Written(w => w.WriteUInt16(0xfffe)));
        Assert.Equal("12345678", Written(w => w.WriteInt32(0x12345678)));
        Assert.Equal("80000000", Written(w => w.WriteUInt32(0x80000000)));
        Assert.Equal("0102030405060708", Written(w => w.WriteInt64(0x0102030405060708)));
        Assert.Equal("ffffffffffffffff", Written(w => w.WriteInt64(-1)));

        var reader = new KafkaReader(Hex.Parse("fe 1234 fffe 12345678 80000000 0102030405060708"));
        Assert.Equal(-2, reader.ReadInt8());
        Assert.Equal(0x1234, reader.ReadInt16());
        Assert.Equal(0xfffe, reader.ReadUInt16());
        Assert.Equal(0x12345678, reader.ReadInt32());
        Assert.Equal(0x80000000u, reader.ReadUInt32());
        Assert.Equal(0x0102030405060708, reader.ReadInt64());
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Float64IsBigEndianIeee754()
    {
        Assert.Equal("3ff8000000000000", Written(w => w.WriteFloat64(1.5)));
        Assert.Equal("bfb999999999999a", Written(w => w.WriteFloat64(-0.1)));
        var reader = new KafkaReader(Hex.Parse("3ff8000000000000 bfb999999999999a"));
        Assert.Equal(1.5, reader.ReadFloat64());
        Assert.Equal(-0.1, reader.ReadFloat64());
    }

    [Fact]
    public void BoolIsOneByteAndAnyNonZeroByteReadsAsTrue()
    {
        Assert.Equal("01", Written(w => w.WriteBool(true)));
        Assert.Equal("00", Written(w => w.WriteBool(false)));
        var reader = new KafkaReader(Hex.Parse("00 01 02"));
        Assert.False(reader.ReadBool());
        Assert.True(reader.ReadBool());
        Assert.True(reader.ReadBool());
    }

    [Theory]
    [InlineData(null, false, "ffff")]
    [InlineData("", false, "0000")]
    [InlineData("abc", false, "0003616263")]
    [InlineData("é€", false, "0005c3a9e282ac")]
    [InlineData(null, true, "00")]
    [InlineData("", true, "01")]
    [InlineData("abc", true, "04616263")]
    [InlineData("é€", true, "06c3a9e282ac")]
    public void StringsAreLengthPrefixedUtf8(string? value, bool flexible, string hex)
    {
        Assert.Equal(hex, Written(w => w.WriteNullableString(value, flexible)));
        var reader = new KafkaReader(Hex.Parse(hex));
        Assert.Equal(value, reader.ReadNullableString(flexible));
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void ACompactStringLongerThan127BytesHasATwoByteLength()
    {
        var value = new string('x', 200);
        Assert.StartsWith("c901" + "7878", Written(w => w.WriteNullableString(value, flexible: true)), StringComparison.Ordinal);
    }

    [Fact]
    public void NullWhereAStringIsRequiredIsRejected()
    {
        ReaderAssert.Throws(Hex.Parse("ffff"), (ref r) => r.ReadString(flexible: false));
        ReaderAssert.Throws(Hex.Parse("00"), (ref r) => r.ReadString(flexible: true));
    }

    [Theory]
    [InlineData("fffe")] // length -2
    [InlineData("0004616263")] // length past the end
    [InlineData("0002c328")] // invalid UTF-8
    [InlineData("00")] // truncated length
    public void MalformedNonFlexibleStringsAreRejected(string hex) =>
        ReaderAssert.Throws(Hex.Parse(hex), (ref r) => r.ReadNullableString(flexible: false));

    [Theory]
    [InlineData(null, false, "ffffffff")]
    [InlineData("", false, "00000000")]
    [InlineData("0102", false, "000000020102")]
    [InlineData(null, true, "00")]
    [InlineData("", true, "01")]
    [InlineData("0102", true, "030102")]
    public void BytesAreLengthPrefixed(string? valueHex, bool flexible, string hex)
    {
        // Not "cond ? null : memory": C# would turn that null into an empty (non-null) memory via byte[].
        var value = valueHex is null ? (ReadOnlyMemory<byte>?)null : Hex.Parse(valueHex);
        Assert.Equal(hex, Written(w => w.WriteNullableBytes(value, flexible)));
        var reader = new KafkaReader(Hex.Parse(hex));
        var read = reader.ReadNullableBytes(flexible);
        Assert.Equal(valueHex is null, read is null);
        if (read is { } bytes)
        {
            Assert.Equal(valueHex, Hex.Format(bytes.Span));
        }
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void NullWhereBytesAreRequiredIsRejected()
    {
        ReaderAssert.Throws(Hex.Parse("ffffffff"), (ref r) => r.ReadBytes(flexible: false));
        ReaderAssert.Throws(Hex.Parse("00"), (ref r) => r.ReadBytes(flexible: true));
    }

    [Theory]
    [InlineData("fffffffe")] // length -2
    [InlineData("0000000301")] // length past the end
    public void MalformedBytesAreRejected(string hex) =>
        ReaderAssert.Throws(Hex.Parse(hex), (ref r) => r.ReadNullableBytes(flexible: false));

    [Theory]
    [InlineData(-1, false, "ffffffff")]
    [InlineData(0, false, "00000000")]
    [InlineData(2, false, "00000002")]
    [InlineData(-1, true, "00")]
    [InlineData(0, true, "01")]
    [InlineData(2, true, "03")]
    public void ArrayCountsAreInt32OrCompact(int count, bool flexible, string hex)
    {
        Assert.Equal(hex, Written(w => w.WriteArrayCount(count, flexible)));
        // Append enough bytes for the elements: a count beyond the remaining bytes is rejected.
        var reader = new KafkaReader(Hex.Parse(hex + "0000"));
        Assert.Equal(count, reader.ReadArrayCount(flexible));
    }

    [Fact]
    public void AnArrayCountLargerThanTheRemainingBytesIsRejected()
    {
        ReaderAssert.Throws(Hex.Parse("00000003 0000"), (ref r) => r.ReadArrayCount(flexible: false));
        ReaderAssert.Throws(Hex.Parse("7fffffff"), (ref r) => r.ReadArrayCount(flexible: false));
        ReaderAssert.Throws(Hex.Parse("ffffffff0f"), (ref r) => r.ReadArrayCount(flexible: true));
    }

    [Fact]
    public void SkippingTaggedFieldsConsumesExactlyTheSection()
    {
        // Two tagged fields: tag 0 with 2 bytes, tag 5 with 0 bytes; then a trailing int8.
        var reader = new KafkaReader(Hex.Parse("02 00 02 aabb 05 00 7f"));
        reader.SkipTaggedFields();
        Assert.Equal(0x7f, reader.ReadInt8());
        Assert.True(reader.IsAtEnd);
        ReaderAssert.Throws(Hex.Parse("01 00 05 aa"), (ref r) => r.SkipTaggedFields());
    }

    [Fact]
    public void ReadingPastTheEndIsAProtocolException()
    {
        ReaderAssert.Throws([], (ref r) => r.ReadInt8());
        ReaderAssert.Throws([1], (ref r) => r.ReadInt16());
        ReaderAssert.Throws([1, 2, 3], (ref r) => r.ReadInt32());
        ReaderAssert.Throws([1, 2, 3, 4, 5, 6, 7], (ref r) => r.ReadInt64());
        ReaderAssert.Throws(new byte[15], (ref r) => r.ReadUuid());
        ReaderAssert.Throws([1], (ref r) => r.Skip(2));
        ReaderAssert.Throws([1], (ref r) => r.Skip(-1));
    }

    [Fact]
    public void BytesAreSlicesOfTheInput()
    {
        var input = Hex.Parse("00000002 0102");
        var reader = new KafkaReader(input);
        var bytes = reader.ReadBytes(flexible: false);
        input[4] = 9;
        Assert.Equal(9, bytes.Span[0]);
    }
}
