using System.Text;
using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Records;

public class CrcTests
{
    [Fact]
    public void Crc32CMatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Crc32IeeeMatchesTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, Crc32Ieee.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void HardwareAndSoftwareCrc32CAgreeOnEveryLength()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        for (var n = 0; n < data.Length; n += 13)
        {
            Assert.Equal(~Crc32C.UpdateSoftware(0xFFFFFFFFu, data.AsSpan(0, n)), Crc32C.Compute(data.AsSpan(0, n)));
        }
    }

    /// <summary>Lengths around the three-block boundaries (3 × 256 and 3 × 8192 bytes) and beyond, from unaligned starts, in one piece and split.</summary>
    [Theory]
    [InlineData(767)]
    [InlineData(768)]
    [InlineData(769)]
    [InlineData(1543)]
    [InlineData(24575)]
    [InlineData(24576)]
    [InlineData(24577)]
    [InlineData(25351)]
    [InlineData(100_003)]
    [InlineData(1 << 20)]
    public void ThreeWayHardwarePathAgreesWithTheTable(int length)
    {
        var data = new byte[length + 3];
        new Random(length).NextBytes(data);
        for (var start = 0; start < 3; start++)
        {
            var span = data.AsSpan(start, length);
            var expected = Crc32C.UpdateSoftware(0xFFFFFFFFu, span);
            Assert.Equal(expected, Crc32C.Update(0xFFFFFFFFu, span));
            var cut = length / 3 + start;
            Assert.Equal(expected, Crc32C.Update(Crc32C.Update(0xFFFFFFFFu, span[..cut]), span[cut..]));
        }
    }
}
