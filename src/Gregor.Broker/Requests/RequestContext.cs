using System.Net;

namespace Gregor.Broker.Requests;

/// <summary>What a handler knows of the request beyond its body.</summary>
public sealed record RequestContext(
    short ApiKey,
    short ApiVersion,
    int CorrelationId,
    string? ClientId,
    EndPoint? RemoteEndPoint,
    string ConnectionId);
