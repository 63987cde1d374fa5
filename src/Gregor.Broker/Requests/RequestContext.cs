using System.Buffers;
using System.Net;

namespace Gregor.Broker.Requests;

/// <summary>What a handler knows of the request beyond its body.</summary>
public sealed record RequestContext(
    short ApiKey,
    short ApiVersion,
    int CorrelationId,
    string? ClientId,
    EndPoint? RemoteEndPoint,
    string ConnectionId)
{
    private List<byte[]>? _rented;

    /// <summary>
    /// A pooled buffer that lives until the response has been sent (e.g. record bytes a Fetch
    /// response points into): the dispatcher hands it to the response writer, which returns it
    /// to the pool when disposed after the send.
    /// </summary>
    public byte[] RentResponseBuffer(int minimumLength)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
        (_rented ??= []).Add(buffer);
        return buffer;
    }

    /// <summary>Hands the buffers rented for the response to the writer that references them; it returns them once sent.</summary>
    public void TransferResponseBuffers(Gregor.Protocol.Wire.KafkaWriter writer)
    {
        foreach (var buffer in _rented ?? [])
        {
            writer.AttachRented(buffer);
        }
        _rented = null;
    }

    /// <summary>Returns every buffer still rented for the response (when no response took them).</summary>
    public void ReturnResponseBuffers()
    {
        if (_rented is null)
        {
            return;
        }
        foreach (var buffer in _rented)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _rented = null;
    }
}
