using Gregor.Protocol.Wire;

namespace Gregor.Broker.Groups.Records;

/// <summary>
/// Value of a group metadata record: int16 version, then protocolType (string), generation
/// (int32), protocol (nullable string), leader (nullable string), currentStateTimestamp (int64,
/// v2+), and the members: each memberId, groupInstanceId (nullable, v3+), clientId, clientHost,
/// rebalanceTimeout (int32, v1+), sessionTimeout (int32), subscription (bytes), assignment (bytes).
/// v4 is the flexible encoding of v3 (compact strings/bytes/arrays, tagged fields after each
/// member and at the end). Kafka writes v3; so does this codec. A null value deletes the group.
/// </summary>
public sealed record GroupMetadataValue(
    string ProtocolType,
    int Generation,
    string? Protocol,
    string? Leader,
    long CurrentStateTimestamp,
    IReadOnlyList<GroupMetadataValue.MemberMetadata> Members)
{
    public const short CurrentVersion = 3;

    public sealed record MemberMetadata(
        string MemberId,
        string? GroupInstanceId,
        string ClientId,
        string ClientHost,
        int RebalanceTimeout,
        int SessionTimeout,
        byte[] Subscription,
        byte[] Assignment);

    public byte[] Serialize(short version = CurrentVersion)
    {
        if (version is < 0 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "GroupMetadataValue versions are 0-4");
        }
        var flexible = version >= 4;
        using var writer = new KafkaWriter(256);
        writer.WriteInt16(version);
        writer.WriteNullableString(ProtocolType, flexible);
        writer.WriteInt32(Generation);
        writer.WriteNullableString(Protocol, flexible);
        writer.WriteNullableString(Leader, flexible);
        if (version >= 2)
        {
            writer.WriteInt64(CurrentStateTimestamp);
        }
        writer.WriteArrayCount(Members.Count, flexible);
        foreach (var m in Members)
        {
            writer.WriteNullableString(m.MemberId, flexible);
            if (version >= 3)
            {
                writer.WriteNullableString(m.GroupInstanceId, flexible);
            }
            writer.WriteNullableString(m.ClientId, flexible);
            writer.WriteNullableString(m.ClientHost, flexible);
            if (version >= 1)
            {
                writer.WriteInt32(m.RebalanceTimeout);
            }
            writer.WriteInt32(m.SessionTimeout);
            writer.WriteNullableBytes(m.Subscription, isNull: false, flexible);
            writer.WriteNullableBytes(m.Assignment, isNull: false, flexible);
            if (flexible)
            {
                writer.WriteUnsignedVarInt(0);
            }
        }
        if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
        return writer.ToArray();
    }

    public static GroupMetadataValue Deserialize(ReadOnlyMemory<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        if (version is < 0 or > 4)
        {
            throw new ProtocolException($"unknown GroupMetadataValue version {version}");
        }
        var flexible = version >= 4;
        var protocolType = reader.ReadString(flexible);
        var generation = reader.ReadInt32();
        var protocol = reader.ReadNullableString(flexible);
        var leader = reader.ReadNullableString(flexible);
        var timestamp = version >= 2 ? reader.ReadInt64() : -1;
        var count = reader.ReadArrayCount(flexible);
        if (count < 0)
        {
            throw new ProtocolException("null members array in GroupMetadataValue");
        }
        var members = new List<MemberMetadata>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            var memberId = reader.ReadString(flexible);
            var instanceId = version >= 3 ? reader.ReadNullableString(flexible) : null;
            var clientId = reader.ReadString(flexible);
            var clientHost = reader.ReadString(flexible);
            var rebalanceTimeout = version >= 1 ? reader.ReadInt32() : -1;
            var sessionTimeout = reader.ReadInt32();
            var subscription = reader.ReadBytes(flexible).ToArray();
            var assignment = reader.ReadBytes(flexible).ToArray();
            if (flexible)
            {
                reader.SkipTaggedFields();
            }
            members.Add(new MemberMetadata(memberId, instanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment));
        }
        if (flexible)
        {
            reader.SkipTaggedFields();
        }
        return new GroupMetadataValue(protocolType, generation, protocol, leader, timestamp, members);
    }
}
