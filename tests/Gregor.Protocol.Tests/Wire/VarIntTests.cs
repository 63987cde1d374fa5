using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Wire;

/// <summary>Varint and varlong encodings (zig-zag for signed) against hand-computed bytes, and round trips.</summary>
public sealed class VarIntTests
{
    private static byte[] Written(Action<KafkaWriter> write)
    {
        using var writer = new KafkaWriter();
        write(writer);
        return writer.ToArray();
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(63, "7e")]
    [InlineData(-64, "7f")]
    [InlineData(64, "8001")]
    [InlineData(-65, "8101")]
    [InlineData(int.MaxValue, "feffffff0f")]
    [InlineData(int.MinValue, "ffffffff0f")]
    public void VarIntIsZigZagEncoded(int value, string hex)
    {
        Assert.Equal(hex, Hex.Format(Written(w => w.WriteVarInt(value))));
        Assert.Equal(hex.Length / 2, KafkaWriter.SizeOfVarInt(value));
        var reader = new KafkaReader(Hex.Parse(hex));
        Assert.Equal(value, reader.ReadVarInt());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(1L, "02")]
    [InlineData(64L, "8001")]
    [InlineData((long)int.MaxValue + 1, "8080808010")]
    [InlineData(long.MaxValue, "feffffffffffffffff01")]
    [InlineData(long.MinValue, "ffffffffffffffffff01")]
    public void VarLongIsZigZagEncoded(long value, string hex)
    {
        Assert.Equal(hex, Hex.Format(Written(w => w.WriteVarLong(value))));
        Assert.Equal(hex.Length / 2, KafkaWriter.SizeOfVarLong(value));
        var reader = new KafkaReader(Hex.Parse(hex));
        Assert.Equal(value, reader.ReadVarLong());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData(0u, "00")]
    [InlineData(127u, "7f")]
    [InlineData(128u, "8001")]
    [InlineData(300u, "ac02")]
    [InlineData(16384u, "808001")]
    [InlineData(uint.MaxValue, "ffffffff0f")]
    public void UnsignedVarIntIsLittleEndianBase128(uint value, string hex)
    {
        Assert.Equal(hex, Hex.Format(Written(w => w.WriteUnsignedVarInt(value))));
        Assert.Equal(hex.Length / 2, KafkaWriter.SizeOfUnsignedVarInt(value));
        var reader = new KafkaReader(Hex.Parse(hex));
        Assert.Equal(value, reader.ReadUnsignedVarInt());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData("ffffffff10")] // fifth byte carries bits beyond 32
    [InlineData("ffffffff8f00")] // six bytes: too many continuation bytes
    [InlineData("8080808080808001")]
    [InlineData("80")] // continuation bit set, then end of input
    public void OverlongOrTruncatedUnsignedVarIntIsRejected(string hex)
    {
        ReaderAssert.Throws(Hex.Parse(hex), (ref r) => r.ReadUnsignedVarInt());
    }

    [Theory]
    [InlineData("ffffffffffffffffff02")] // tenth byte carries bits beyond 64
    [InlineData("ffffffffffffffffff8100")] // eleven bytes
    [InlineData("ffff")]
    public void OverlongOrTruncatedUnsignedVarLongIsRejected(string hex)
    {
        ReaderAssert.Throws(Hex.Parse(hex), (ref r) => r.ReadUnsignedVarLong());
    }

    [Fact]
    public void UnsignedVarIntAboveInt32MaxIsRejectedWhereAnInt32IsNeeded()
    {
        ReaderAssert.Throws(Hex.Parse("8080808008"), (ref r) => r.ReadUnsignedVarIntAsInt32()); // 2^31
    }

    /// <summary>Random values across all magnitudes survive write then read, and the size helpers agree with the writer.</summary>
    [Fact]
    public void RandomValuesRoundTrip()
    {
        var random = new Random(1234);
        using var writer = new KafkaWriter();
        var ints = new List<int>();
        var longs = new List<long>();
        for (var i = 0; i < 2000; i++)
        {
            var shift = random.Next(64);
            var value = random.NextInt64() >> shift;
            if (random.Next(2) == 0)
            {
                value = ~value;
            }
            var start = writer.Length;
            writer.WriteVarLong(value);
            Assert.Equal(writer.Length - start, KafkaWriter.SizeOfVarLong(value));
            longs.Add(value);
            start = writer.Length;
            writer.WriteVarInt((int)value);
            Assert.Equal(writer.Length - start, KafkaWriter.SizeOfVarInt((int)value));
            ints.Add((int)value);
        }
        var reader = new KafkaReader(writer.ToArray());
        for (var i = 0; i < longs.Count; i++)
        {
            Assert.Equal(longs[i], reader.ReadVarLong());
            Assert.Equal(ints[i], reader.ReadVarInt());
        }
        Assert.True(reader.IsAtEnd);
    }
}
