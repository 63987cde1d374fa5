namespace Gregor.Broker.Groups;

/// <summary>One protocol a member supports (e.g. "range" with its subscription), in the member's
/// order of preference. The metadata is opaque to the coordinator.</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);
