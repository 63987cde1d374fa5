using Gregor.Broker.Groups.Records;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Tests.Groups;

/// <summary>__consumer_offsets keys and values: golden bytes laid out by hand from the schemas, and round trips.</summary>
public sealed class RecordCodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void Offset_commit_key_v1_golden()
    {
        // version 1 | "g" | "t" | partition 1
        Assert.Equal(Hex("0001 0001 67 0001 74 00000001"), new OffsetCommitKey("g", "t", 1).Serialize());
        Assert.Equal(Hex("0000 0001 67 0001 74 00000001"), new OffsetCommitKey("g", "t", 1).Serialize(0));
    }

    [Fact]
    public void Group_metadata_key_golden()
    {
        Assert.Equal(Hex("0002 0003 677270"), new GroupMetadataKey("grp").Serialize());
    }

    [Fact]
    public void Keys_are_told_apart_by_version()
    {
        Assert.Equal(new OffsetCommitKey("g", "t", 1), GroupRecordKey.Deserialize(Hex("0001 0001 67 0001 74 00000001")));
        Assert.Equal(new OffsetCommitKey("g", "t", 1), GroupRecordKey.Deserialize(Hex("0000 0001 67 0001 74 00000001")));
        Assert.Equal(new GroupMetadataKey("grp"), GroupRecordKey.Deserialize(Hex("0002 0003 677270")));
        Assert.Null(GroupRecordKey.Deserialize(Hex("0003 0003 677270")));
        Assert.Throws<ProtocolException>(() => GroupRecordKey.Deserialize(Hex("0001 0005 67")));
    }

    [Fact]
    public void Offset_commit_value_v3_golden()
    {
        var value = new OffsetCommitValue(100, 5, "m", 1000);
        // version 3 | offset 100 | leader epoch 5 | "m" | commit timestamp 1000
        var expected = Hex("0003 0000000000000064 00000005 0001 6d 00000000000003e8");
        Assert.Equal(expected, value.Serialize());
        Assert.Equal(value, OffsetCommitValue.Deserialize(expected));
    }

    [Fact]
    public void Offset_commit_value_v1_carries_the_expire_timestamp()
    {
        var value = new OffsetCommitValue(100, -1, "m", 1000, ExpireTimestamp: 2000);
        var expected = Hex("0001 0000000000000064 0001 6d 00000000000003e8 00000000000007d0");
        Assert.Equal(expected, value.Serialize());
        Assert.Equal(value, OffsetCommitValue.Deserialize(expected));
    }

    [Fact]
    public void Offset_commit_value_v0_v2_and_flexible_v4()
    {
        Assert.Equal(Hex("0000 0000000000000064 0000 00000000000003e8"), new OffsetCommitValue(100, -1, "", 1000).Serialize(0));
        Assert.Equal(Hex("0002 0000000000000064 0000 00000000000003e8"), new OffsetCommitValue(100, -1, "", 1000).Serialize(2));
        // v4: compact string (length + 1 as an unsigned varint) and an empty tagged-field section.
        var v4 = Hex("0004 0000000000000064 00000005 02 6d 00000000000003e8 00");
        Assert.Equal(v4, new OffsetCommitValue(100, 5, "m", 1000).Serialize(4));
        Assert.Equal(new OffsetCommitValue(100, 5, "m", 1000), OffsetCommitValue.Deserialize(v4));
        Assert.Equal(new OffsetCommitValue(100, -1, "", 1000), OffsetCommitValue.Deserialize(Hex("0000 0000000000000064 0000 00000000000003e8")));
    }

    [Fact]
    public void Group_metadata_value_v3_golden()
    {
        var value = new GroupMetadataValue("consumer", 1, "range", "m", 5, [
            new GroupMetadataValue.MemberMetadata("m", "i", "c", "/h", 300, 100, [0xAA], [0xBB, 0xCC]),
        ]);
        var expected = Hex(
            "0003" +
            "0008 636f6e73756d6572" + // protocolType "consumer"
            "00000001" + // generation
            "0005 72616e6765" + // protocol "range"
            "0001 6d" + // leader "m"
            "0000000000000005" + // currentStateTimestamp
            "00000001" + // one member
            "0001 6d" + "0001 69" + "0001 63" + "0002 2f68" + // memberId, groupInstanceId, clientId, clientHost
            "0000012c" + "00000064" + // rebalanceTimeout 300, sessionTimeout 100
            "00000001 aa" + "00000002 bbcc"); // subscription, assignment
        Assert.Equal(expected, value.Serialize());
        AssertEqual(value, GroupMetadataValue.Deserialize(expected));
    }

    [Fact]
    public void Empty_group_metadata_value_has_null_protocol_and_leader()
    {
        var value = new GroupMetadataValue("consumer", 3, null, null, 7, []);
        var expected = Hex("0003 0008 636f6e73756d6572 00000003 ffff ffff 0000000000000007 00000000");
        Assert.Equal(expected, value.Serialize());
        AssertEqual(value, GroupMetadataValue.Deserialize(expected));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Group_metadata_value_round_trips_at_every_version(short version)
    {
        var value = new GroupMetadataValue("consumer", 7, "cooperative-sticky", "m-1", 1234, [
            new GroupMetadataValue.MemberMetadata("m-1", "inst", "client", "/10.0.0.1", 60000, 10000, [1, 2, 3], [4, 5]),
            new GroupMetadataValue.MemberMetadata("m-2", null, "client", "/10.0.0.2", 60000, 10000, [], []),
        ]);
        var decoded = GroupMetadataValue.Deserialize(value.Serialize(version));
        // Fields a version lacks come back as their defaults.
        var expected = value with
        {
            CurrentStateTimestamp = version >= 2 ? 1234 : -1,
            Members = value.Members.Select(m => m with
            {
                GroupInstanceId = version >= 3 ? m.GroupInstanceId : null,
                RebalanceTimeout = version >= 1 ? m.RebalanceTimeout : -1,
            }).ToList(),
        };
        AssertEqual(expected, decoded);
    }

    [Fact]
    public void Flexible_group_metadata_value_v4_golden()
    {
        var value = new GroupMetadataValue("c", 1, null, null, 0, [new GroupMetadataValue.MemberMetadata("m", null, "c", "h", 1, 2, [9], [])]);
        var expected = Hex("0004 02 63 00000001 00 00 0000000000000000 02 02 6d 00 02 63 02 68 00000001 00000002 02 09 01 00 00");
        Assert.Equal(expected, value.Serialize(4));
        AssertEqual(value, GroupMetadataValue.Deserialize(expected));
    }

    private static void AssertEqual(GroupMetadataValue expected, GroupMetadataValue actual)
    {
        Assert.Equal(expected.ProtocolType, actual.ProtocolType);
        Assert.Equal(expected.Generation, actual.Generation);
        Assert.Equal(expected.Protocol, actual.Protocol);
        Assert.Equal(expected.Leader, actual.Leader);
        Assert.Equal(expected.CurrentStateTimestamp, actual.CurrentStateTimestamp);
        Assert.Equal(expected.Members.Count, actual.Members.Count);
        for (var i = 0; i < expected.Members.Count; i++)
        {
            var e = expected.Members[i];
            var a = actual.Members[i];
            Assert.Equal((e.MemberId, e.GroupInstanceId, e.ClientId, e.ClientHost, e.RebalanceTimeout, e.SessionTimeout),
                (a.MemberId, a.GroupInstanceId, a.ClientId, a.ClientHost, a.RebalanceTimeout, a.SessionTimeout));
            Assert.Equal(e.Subscription, a.Subscription);
            Assert.Equal(e.Assignment, a.Assignment);
        }
    }
}
