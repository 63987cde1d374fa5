namespace Gregor.Protocol.Wire;

/// <summary>
/// The request header. v0: api_key int16, api_version int16, correlation_id int32.
/// v1 adds client_id (nullable string, int16 length even in flexible requests).
/// v2 adds a tagged-field section. Which version an API uses depends on whether the
/// request version is flexible (see ApiMessageInfo.RequestHeaderVersion).
/// </summary>
public sealed record RequestHeader(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    /// <summary>Reads the key, version and correlation id, which every header version starts with.</summary>
    public static (short ApiKey, short ApiVersion, int CorrelationId) ReadPrefix(ref KafkaReader reader) =>
        (reader.ReadInt16(), reader.ReadInt16(), reader.ReadInt32());

    /// <summary>Reads the rest of a header of <paramref name="headerVersion"/> after its prefix.</summary>
    public static RequestHeader ReadRest(ref KafkaReader reader, short apiKey, short apiVersion, int correlationId, short headerVersion)
    {
        string? clientId = null;
        if (headerVersion >= 1)
        {
            clientId = reader.ReadNullableString(flexible: false);
        }
        if (headerVersion >= 2)
        {
            reader.SkipTaggedFields();
        }
        return new RequestHeader(apiKey, apiVersion, correlationId, clientId);
    }

    public static RequestHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var (key, version, correlationId) = ReadPrefix(ref reader);
        return ReadRest(ref reader, key, version, correlationId, headerVersion);
    }

    public void Write(KafkaWriter writer, short headerVersion)
    {
        writer.WriteInt16(ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        if (headerVersion >= 1)
        {
            writer.WriteNullableString(ClientId, flexible: false);
        }
        if (headerVersion >= 2)
        {
            writer.WriteUnsignedVarInt(0);
        }
    }
}
