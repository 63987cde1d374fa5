using Gregor.Protocol.Wire;

namespace Gregor.Broker.Groups.Records;

/// <summary>
/// Key of an offset commit record in __consumer_offsets: int16 version (0 or 1, same layout),
/// then group (string), topic (string), partition (int32); strings are int16 length + UTF-8.
/// Kafka writes version 1.
/// </summary>
public sealed record OffsetCommitKey(string Group, string Topic, int Partition)
{
    public const short CurrentVersion = 1;

    public byte[] Serialize(short version = CurrentVersion)
    {
        if (version is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "OffsetCommitKey versions are 0-1");
        }
        using var writer = new KafkaWriter(32 + Group.Length + Topic.Length);
        writer.WriteInt16(version);
        writer.WriteNullableString(Group, flexible: false);
        writer.WriteNullableString(Topic, flexible: false);
        writer.WriteInt32(Partition);
        return writer.ToArray();
    }

    /// <summary>Reads the fields after the version prefix.</summary>
    internal static OffsetCommitKey ReadBody(ref KafkaReader reader) =>
        new(reader.ReadString(flexible: false), reader.ReadString(flexible: false), reader.ReadInt32());
}
