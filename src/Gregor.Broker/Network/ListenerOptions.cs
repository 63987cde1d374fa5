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

    /// <summary>queued.max.request.bytes: the most bytes large request frames hold at once, broker-wide (see <see cref="RequestBufferPool"/>); 0 or less for no bound.</summary>
    public long QueuedMaxRequestBytes { get; init; } = 536870912;

    /// <summary>max.connections: connections beyond it are closed as soon as they are accepted.</summary>
    public int MaxConnections { get; init; } = 10000;

    /// <summary>connections.max.idle.ms: a connection with no request for this long is closed.</summary>
    public long ConnectionsMaxIdleMs { get; init; } = 600000;
}
