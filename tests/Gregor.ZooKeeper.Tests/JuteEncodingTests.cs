using Gregor.ZooKeeper.Jute;
using Gregor.ZooKeeper.Protocol;

namespace Gregor.ZooKeeper.Tests;

public class JuteEncodingTests
{
    [Fact]
    public void Connect_request_is_a_frame_of_the_fields_then_the_read_only_byte()
    {
        var password = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var frame = ConnectMessages.EncodeRequest(lastZxidSeen: 0x0102030405060708, timeoutMs: 30_000, sessionId: 0x1122334455667788, password);

        byte[] expected =
        [
            0, 0, 0, 45, // frame length: 4 + 8 + 4 + 8 + (4 + 16) + 1
            0, 0, 0, 0, // protocolVersion
            1, 2, 3, 4, 5, 6, 7, 8, // lastZxidSeen
            0, 0, 0x75, 0x30, // timeOut 30000
            0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, // sessionId
            0, 0, 0, 16, .. password,
            0, // readOnly
        ];
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void Connect_response_is_read_with_or_without_the_read_only_byte()
    {
        var writer = new JuteWriter();
        writer.WriteInt(0);
        writer.WriteInt(6000);
        writer.WriteLong(42);
        writer.WriteBuffer(new byte[16]);
        var withoutFlag = ConnectMessages.DecodeResponse(writer.ToArray());
        writer.WriteBool(true);
        var withFlag = ConnectMessages.DecodeResponse(writer.ToArray());

        Assert.Equal((6000, 42L, false), (withoutFlag.TimeoutMs, withoutFlag.SessionId, withoutFlag.ReadOnly));
        Assert.Equal((6000, 42L, true), (withFlag.TimeoutMs, withFlag.SessionId, withFlag.ReadOnly));
    }

    [Fact]
    public void Create_request_carries_the_open_acl_and_the_mode_flags()
    {
        var writer = new JuteWriter();
        Requests.Create(writer, "/a", [7], CreateMode.EphemeralSequential);

        byte[] expected =
        [
            0, 0, 0, 2, (byte)'/', (byte)'a',
            0, 0, 0, 1, 7,
            0, 0, 0, 1, // one ACL
            0, 0, 0, 31, // all permissions
            0, 0, 0, 5, .. "world"u8.ToArray(),
            0, 0, 0, 6, .. "anyone"u8.ToArray(),
            0, 0, 0, 3, // flags: ephemeral | sequential
        ];
        Assert.Equal(expected, writer.ToArray());
    }

    [Fact]
    public void Null_strings_and_buffers_are_length_minus_one()
    {
        var writer = new JuteWriter();
        writer.WriteString(null);
        writer.WriteNullBuffer();
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, writer.ToArray());

        var reader = new JuteReader(writer.ToArray());
        Assert.Null(reader.ReadString());
        Assert.Empty(reader.ReadBuffer());
    }

    [Fact]
    public void Stat_is_read_in_wire_order()
    {
        var writer = new JuteWriter();
        writer.WriteLong(1);
        writer.WriteLong(2);
        writer.WriteLong(3);
        writer.WriteLong(4);
        writer.WriteInt(5);
        writer.WriteInt(6);
        writer.WriteInt(7);
        writer.WriteLong(8);
        writer.WriteInt(9);
        writer.WriteInt(10);
        writer.WriteLong(11);

        Assert.Equal(new ZkStat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), new JuteReader(writer.ToArray()).ReadStat());
    }

    [Fact]
    public void Multi_request_ends_with_a_done_header_and_its_reply_gives_per_op_results()
    {
        var writer = new JuteWriter();
        Requests.Multi(writer, [ZkOp.Check("/c", 4), ZkOp.Delete("/d")], p => "/chroot" + p);
        var reader = new JuteReader(writer.ToArray());
        Assert.Equal((13, false, -1), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt()));
        Assert.Equal(("/chroot/c", 4), (reader.ReadString(), reader.ReadInt()));
        Assert.Equal((2, false, -1), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt()));
        Assert.Equal(("/chroot/d", -1), (reader.ReadString(), reader.ReadInt()));
        Assert.Equal((-1, true, -1), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt()));
        Assert.Equal(0, reader.Remaining);

        var reply = new JuteWriter();
        foreach (var err in new[] { 0, -103 })
        {
            reply.WriteInt(-1); // a failed multi answers every op with an error result
            reply.WriteBool(false);
            reply.WriteInt(err);
            reply.WriteInt(err);
        }
        reply.WriteInt(-1);
        reply.WriteBool(true);
        reply.WriteInt(-1);
        var results = Responses.Multi(new JuteReader(reply.ToArray()), p => p);
        Assert.Equal([ZkErrorCode.Ok, ZkErrorCode.BadVersion], results.Select(r => r.Error));
    }

    [Fact]
    public void A_short_record_throws_instead_of_reading_past_the_end()
    {
        var reader = new JuteReader(new byte[] { 0, 0, 0, 9, (byte)'x' });
        Assert.Throws<InvalidDataException>(() => reader.ReadString());
    }

    [Theory]
    [InlineData("127.0.0.1:2181", "", 1)]
    [InlineData("a:1,b:2/kafka/", "/kafka", 2)]
    [InlineData("a,b:3/x/y", "/x/y", 2)]
    public void Connect_string_gives_hosts_and_chroot(string value, string chroot, int hosts)
    {
        var parsed = ConnectString.Parse(value);
        Assert.Equal(chroot, parsed.Chroot);
        Assert.Equal(hosts, parsed.Hosts.Count);
        Assert.Equal(chroot.Length == 0 ? "/n" : chroot + "/n", parsed.ToServer("/n"));
        Assert.Equal("/n", parsed.ToClient(parsed.ToServer("/n")));
        Assert.Equal("/", parsed.ToClient(parsed.ToServer("/")));
    }
}
