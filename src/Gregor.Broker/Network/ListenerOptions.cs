using System.Net;

namespace Gregor.Broker.Network;

/// <summary>What the socket server needs to know: where to listen and the limits it enforces.</summary>
public sealed record ListenerOptions
{
    /// <summary>Interface to bind; <see cref="IPAddress.Any"/> for an empty host in `listeners`.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>Port to bind; 0 picks a free port (see <see cref="KafkaListener.BoundPort"/>).</summary>
    public required int Port { get; init; }

    /// <summary>socket.request.max.bytes: the largest frame accepted; checked before any buffer is allocated.</summary>
    public int MaxRequestBytes { get; init; } = 104857600;

    /// <summary>max.connections: connections beyond it are closed as soon as they are accepted.</summary>
    public int MaxConnections { get; init; } = 10000;

    /// <summary>connections.max.idle.ms: a connection with no request for this long is closed.</summary>
    public long ConnectionsMaxIdleMs { get; init; } = 600000;
}
