using Gregor.Protocol.Wire;

namespace Gregor.Broker.Groups.Records;

/// <summary>Key of a group metadata record: int16 version 2, then group (int16-length string).</summary>
public sealed record GroupMetadataKey(string Group)
{
    public const short CurrentVersion = 2;

    public byte[] Serialize()
    {
        using var writer = new KafkaWriter(8 + Group.Length);
        writer.WriteInt16(CurrentVersion);
        writer.WriteNullableString(Group, flexible: false);
        return writer.ToArray();
    }

    internal static GroupMetadataKey ReadBody(ref KafkaReader reader) => new(reader.ReadString(flexible: false));
}
