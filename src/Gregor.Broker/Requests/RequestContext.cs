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
    /// A pooled buffer that lives until the response has been written (e.g. record bytes a Fetch
    /// response points into); the dispatcher returns it to the pool afterwards.
    /// </summary>
    public byte[] RentResponseBuffer(int minimumLength)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
        (_rented ??= []).Add(buffer);
        return buffer;
    }

    /// <summary>Returns every buffer rented for the response. Called once, after the response is framed.</summary>
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
