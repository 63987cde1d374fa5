using Gregor.Protocol.Wire;

namespace Gregor.Broker.Groups.Records;

/// <summary>
/// Value of an offset commit record: int16 version, then
/// v0: offset int64, metadata string, commitTimestamp int64;
/// v1: as v0 plus expireTimestamp int64 (written when the commit asked for a retention time);
/// v2: as v0; v3: offset, leaderEpoch int32, metadata, commitTimestamp;
/// v4: as v3 in the flexible encoding (compact string, trailing tagged fields).
/// Kafka writes v1 when an expire timestamp is set and v3 otherwise; so does this codec. A null
/// value (tombstone) deletes the offset.
/// </summary>
public sealed record OffsetCommitValue(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp, long ExpireTimestamp = -1)
{
    public short PreferredVersion => ExpireTimestamp >= 0 ? (short)1 : (short)3;

    public static OffsetCommitValue From(OffsetAndMetadata offset) =>
        new(offset.Offset, offset.LeaderEpoch, offset.Metadata, offset.CommitTimestamp, offset.ExpireTimestamp ?? -1);

    public OffsetAndMetadata ToOffsetAndMetadata() =>
        new(Offset, LeaderEpoch, Metadata, CommitTimestamp, ExpireTimestamp >= 0 ? ExpireTimestamp : null);

    public byte[] Serialize() => Serialize(PreferredVersion);

    public byte[] Serialize(short version)
    {
        if (version is < 0 or > 4)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "OffsetCommitValue versions are 0-4");
        }
        var flexible = version >= 4;
        using var writer = new KafkaWriter(48 + Metadata.Length);
        writer.WriteInt16(version);
        writer.WriteInt64(Offset);
        if (version >= 3)
        {
            writer.WriteInt32(LeaderEpoch);
        }
        writer.WriteNullableString(Metadata, flexible);
        writer.WriteInt64(CommitTimestamp);
        if (version == 1)
        {
            writer.WriteInt64(ExpireTimestamp);
        }
        if (flexible)
        {
            writer.WriteUnsignedVarInt(0);
        }
        return writer.ToArray();
    }

    public static OffsetCommitValue Deserialize(ReadOnlyMemory<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        if (version is < 0 or > 4)
        {
            throw new ProtocolException($"unknown OffsetCommitValue version {version}");
        }
        var flexible = version >= 4;
        var offset = reader.ReadInt64();
        var leaderEpoch = version >= 3 ? reader.ReadInt32() : -1;
        var metadata = reader.ReadString(flexible);
        var commitTimestamp = reader.ReadInt64();
        var expireTimestamp = version == 1 ? reader.ReadInt64() : -1;
        if (flexible)
        {
            reader.SkipTaggedFields();
        }
        return new OffsetCommitValue(offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp);
    }
}
