using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Messages;

/// <summary>
/// The client's side of Kafka's framing: a request frame is int32 size, request header (v0, v1 or
/// v2 by the API's flexible-version rule, see <see cref="ApiMessageInfo.RequestHeaderVersion"/>)
/// and body; a response frame (after its size) is the response header (v0 or v1) and body.
/// </summary>
public static class ClientFrames
{
    /// <summary>Where the correlation id sits in a frame written by <see cref="WriteRequest{T}"/>: after size, api key and version.</summary>
    public const int CorrelationIdPosition = 8;

    /// <summary>Writes a whole request frame, size prefix included, at the writer's start.</summary>
    public static void WriteRequest<T>(KafkaWriter writer, T body, short version, int correlationId, string? clientId)
        where T : IKafkaMessage<T>
    {
        var size = writer.Reserve(4);
        var info = ApiMessages.Find(T.ApiKey) ?? throw new ArgumentException($"API key {T.ApiKey} has no definition", nameof(body));
        new RequestHeader(T.ApiKey, version, correlationId, clientId).Write(writer, info.RequestHeaderVersion(version));
        body.Write(writer, version);
        writer.PatchInt32(size, writer.Length - 4);
    }

    /// <summary>
    /// Decodes a response frame (without its size prefix) of <paramref name="version"/>. The body
    /// may keep slices of <paramref name="frame"/> (bytes fields, record sets), so the frame's
    /// memory must outlive it. Throws <see cref="ProtocolException"/> on malformed bytes.
    /// </summary>
    public static (int CorrelationId, TResponse Body) ReadResponse<TResponse>(ReadOnlyMemory<byte> frame, short version)
        where TResponse : IKafkaMessage<TResponse>
    {
        var info = ApiMessages.Find(TResponse.ApiKey) ?? throw new ArgumentException($"API key {TResponse.ApiKey} has no definition");
        var reader = new KafkaReader(frame);
        var correlationId = ResponseHeader.Read(ref reader, info.ResponseHeaderVersion(version));
        return (correlationId, TResponse.Read(ref reader, version));
    }
}
