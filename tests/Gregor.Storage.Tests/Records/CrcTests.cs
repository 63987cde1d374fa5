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
}
