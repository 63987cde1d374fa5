using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;

namespace Gregor.Protocol.Tests.Messages.Golden;

/// <summary>JoinGroup v5 bodies against bytes built by hand from the reference field orders.</summary>
public sealed class JoinGroupGoldenTests
{
    private static readonly byte[] Metadata = [0, 1, 0, 0, 0, 1, 0, 1, 0x61];

    [Fact]
    public void RequestV5()
    {
        var request = new JoinGroupRequest
        {
            GroupId = "g",
            SessionTimeoutMs = 45000,
            RebalanceTimeoutMs = 300000,
            MemberId = "",
            GroupInstanceId = "instance-1",
            ProtocolType = "consumer",
            Protocols = [new() { Name = "range", Metadata = Metadata }, new() { Name = "roundrobin", Metadata = Array.Empty<byte>() }],
            Reason = "not in v5",
        };
        var expected = new ByteBuilder()
            .String("g").Int32(45000).Int32(300000).String("").String("instance-1").String("consumer")
            .ArrayCount(2).String("range").Bytes(Metadata).String("roundrobin").Bytes([])
            .ToArray();
        var read = GoldenAssert.BothWays(request, 5, expected);
        Assert.Equal(("g", 45000, 300000, ""), (read.GroupId, read.SessionTimeoutMs, read.RebalanceTimeoutMs, read.MemberId));
        Assert.Equal("instance-1", read.GroupInstanceId);
        Assert.Equal("consumer", read.ProtocolType);
        Assert.Equal(Metadata, read.Protocols[0].Metadata.ToArray());
        Assert.Equal("roundrobin", read.Protocols[1].Name);
        Assert.Null(read.Reason);
    }

    [Fact]
    public void ResponseV5()
    {
        var response = new JoinGroupResponse
        {
            ThrottleTimeMs = 0,
            ErrorCode = 0,
            GenerationId = 3,
            ProtocolType = "consumer", // v7+
            ProtocolName = "range",
            Leader = "m-1",
            MemberId = "m-2",
            Members = [new() { MemberId = "m-1", GroupInstanceId = null, Metadata = Metadata }, new() { MemberId = "m-2", GroupInstanceId = "i-2", Metadata = Metadata }],
        };
        var expected = new ByteBuilder()
            .Int32(0).Int16(0).Int32(3).String("range").String("m-1").String("m-2")
            .ArrayCount(2).String("m-1").String(null).Bytes(Metadata).String("m-2").String("i-2").Bytes(Metadata)
            .ToArray();
        var read = GoldenAssert.BothWays(response, 5, expected);
        Assert.Equal((3, "range", "m-1", "m-2"), (read.GenerationId, read.ProtocolName, read.Leader, read.MemberId));
        Assert.Null(read.ProtocolType);
        Assert.Null(read.Members[0].GroupInstanceId);
        Assert.Equal("i-2", read.Members[1].GroupInstanceId);
        Assert.Equal(Metadata, read.Members[1].Metadata.ToArray());
    }
}
