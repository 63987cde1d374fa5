using Gregor.Protocol.Wire;

namespace Gregor.Broker.Requests;

/// <summary>
/// The outcome of one request frame: a response to send (a complete frame, size prefix
/// included, owned by the receiver who must dispose it), nothing to send (acks=0), or the
/// connection to close, with the reason logged.
/// </summary>
public readonly record struct DispatchResult(KafkaWriter? Response, string? CloseReason)
{
    public static DispatchResult NoResponse => default;

    public static DispatchResult Send(KafkaWriter response) => new(response, null);

    public static DispatchResult Close(string reason) => new(null, reason);
}
