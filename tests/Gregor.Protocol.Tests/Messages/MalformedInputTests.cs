using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Messages;

/// <summary>
/// Hostile input: random bytes, repeated byte patterns, and truncated or corrupted valid encodings,
/// read as every message type at every version. Reading may succeed or fail, but it may only fail with
/// <see cref="ProtocolException"/>, and it must never allocate more than a bound proportional to the input.
/// The bound is 64 bytes per input byte plus 8 KiB: decoded objects are larger than their encodings (and a
/// throw allocates its exception), but since every element takes at least one byte, a count read from the
/// input must never make the reader allocate for elements that are not there.
/// </summary>
public sealed class MalformedInputTests
{
    private const int RandomInputsPerVersion = 6;
    private const int MutationsPerVersion = 6;

    public static TheoryData<string> MessageNames => MessageCatalog.Names();

    private static long AllowedAllocation(int inputLength) => (64L * inputLength) + 8192;

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void HostileInputOnlyEverThrowsProtocolExceptionWithinTheAllocationBound(string messageName)
    {
        var type = MessageCatalog.Get(messageName);
        var random = new Random(messageName.Length * 7919 + type.ApiKey);
        foreach (var version in type.Versions)
        {
            var valid = MessageCatalog.Write(new RandomMessageFiller(random.Next()).Fill(type.Type), version);
            Check(type, version, valid); // warms up the JIT and static state before measuring the rest
            foreach (var input in HostileInputs(random, valid))
            {
                Check(type, version, input);
            }
        }
    }

    private static IEnumerable<byte[]> HostileInputs(Random random, byte[] valid)
    {
        for (var i = 0; i < RandomInputsPerVersion; i++)
        {
            var bytes = new byte[random.Next(i < 3 ? 16 : 200)];
            random.NextBytes(bytes);
            yield return bytes;
        }
        foreach (var fill in new byte[] { 0x00, 0x01, 0x02, 0x7f, 0xff })
        {
            yield return Enumerable.Repeat(fill, 64).ToArray();
        }
        yield return [];
        for (var i = 0; i < MutationsPerVersion && valid.Length > 0; i++)
        {
            yield return valid[..random.Next(valid.Length)]; // truncated
            var flipped = (byte[])valid.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
            }
            yield return flipped;
        }
    }

    private static void Check(MessageType type, short version, byte[] input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            type.Read(input, version);
        }
        catch (ProtocolException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"{type.Name} v{version} threw {e.GetType().Name} ({e.Message}) on {Hex.Format(input)}");
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(
            allocated <= AllowedAllocation(input.Length),
            $"{type.Name} v{version} allocated {allocated} bytes reading {input.Length}: {Hex.Format(input)}");
    }

    private static void AssertRejectedCheaply(MessageType type, short version, byte[] input)
    {
        Check(type, version, input); // warm-up, and the type of any exception
        var before = GC.GetAllocatedBytesForCurrentThread();
        var threw = false;
        try
        {
            type.Read(input, version);
        }
        catch (ProtocolException)
        {
            threw = true;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(threw, $"{type.Name} v{version} accepted {Hex.Format(input)}");
        Assert.True(allocated <= AllowedAllocation(input.Length), $"allocated {allocated} bytes");
    }

    [Fact]
    public void AnArrayCountOfInt32MaxInATwentyByteInputIsRejected()
    {
        var input = new ByteBuilder().ArrayCount(int.MaxValue).Raw(new byte[16]).ToArray();
        Assert.Equal(20, input.Length);
        AssertRejectedCheaply(MessageCatalog.Get(nameof(MetadataRequest)), 0, input);
        AssertRejectedCheaply(MessageCatalog.Get(nameof(ProduceResponse)), 3, input);
    }

    [Fact]
    public void AStringLengthOf32767WithThreeBytesFollowingIsRejected()
    {
        var topicName = new ByteBuilder().ArrayCount(1).Int16(short.MaxValue).Raw(0x61, 0x62, 0x63).ToArray();
        AssertRejectedCheaply(MessageCatalog.Get(nameof(MetadataRequest)), 0, topicName);
        var groupId = new ByteBuilder().Int16(short.MaxValue).Raw(0x61, 0x62, 0x63).ToArray();
        AssertRejectedCheaply(MessageCatalog.Get(nameof(JoinGroupRequest)), 5, groupId);
    }

    [Fact]
    public void ACompactArrayLengthVarIntOf0xFFFFFFFFIsRejected()
    {
        var input = new ByteBuilder().UnsignedVarInt(0xFFFFFFFF).Raw(new byte[16]).ToArray();
        AssertRejectedCheaply(MessageCatalog.Get(nameof(MetadataRequest)), 9, input);
        AssertRejectedCheaply(MessageCatalog.Get(nameof(MetadataRequest)), 12, input);
    }

    [Fact]
    public void AVarIntWithTooManyContinuationBytesIsRejected()
    {
        var input = new ByteBuilder().Raw(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).Raw(new byte[8]).ToArray();
        AssertRejectedCheaply(MessageCatalog.Get(nameof(MetadataRequest)), 12, input);
        AssertRejectedCheaply(MessageCatalog.Get(nameof(ApiVersionsRequest)), 3, input);
    }

    [Fact]
    public void ATaggedFieldSizePastTheEndIsRejected()
    {
        // ApiVersions v3 request: two empty compact strings, then one tagged field claiming 100 bytes.
        var input = new ByteBuilder().CompactString("").CompactString("").UnsignedVarInt(1).UnsignedVarInt(0).UnsignedVarInt(100).Raw(1, 2).ToArray();
        AssertRejectedCheaply(MessageCatalog.Get(nameof(ApiVersionsRequest)), 3, input);
    }
}
