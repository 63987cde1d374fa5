using Gregor.Broker.Cluster;
using Gregor.Broker.Network;

namespace Gregor.Broker.Server;

/// <summary>Everything a broker process needs at start-up, already validated.</summary>
public sealed record BrokerServerOptions
{
    public required int BrokerId { get; init; }

    public required ListenerOptions Listener { get; init; }

    /// <summary>Advertised host and port (port 0: the port actually bound).</summary>
    public required string AdvertisedHost { get; init; }

    public required int AdvertisedPort { get; init; }

    public string? Rack { get; init; }

    public required IReadOnlyList<string> LogDirs { get; init; }

    public BrokerEndpoint AdvertisedEndpoint(int boundPort) =>
        new(BrokerId, AdvertisedHost, AdvertisedPort == 0 ? boundPort : AdvertisedPort, Rack);
}
