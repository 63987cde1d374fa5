namespace Gregor.Broker.Cluster;

/// <summary>A broker as clients see it in Metadata: id, advertised host and port, rack.</summary>
public sealed record BrokerEndpoint(int NodeId, string Host, int Port, string? Rack);
