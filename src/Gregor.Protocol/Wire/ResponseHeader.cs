namespace Gregor.Protocol.Wire;

/// <summary>
/// The response header. v0: correlation_id int32. v1 adds a tagged-field section
/// (used by flexible versions of every API except ApiVersions, whose response header is always v0).
/// </summary>
public static class ResponseHeader
{
    public static void Write(KafkaWriter writer, int correlationId, short headerVersion)
    {
        writer.WriteInt32(correlationId);
        if (headerVersion >= 1)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }

    public static int Read(ref KafkaReader reader, short headerVersion)
    {
        var correlationId = reader.ReadInt32();
        if (headerVersion >= 1)
        {
            reader.SkipTaggedFields();
        }
        return correlationId;
    }
}
