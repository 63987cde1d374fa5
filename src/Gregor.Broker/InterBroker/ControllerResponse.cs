namespace Gregor.Broker.InterBroker;

/// <summary>
/// What a request queued on the <see cref="ControllerChannelManager"/> ended with: the broker's
/// response, or the failure that dropped it (its broker was removed, or was never added).
/// Exactly one of the two is set. Errors inside the response (STALE_CONTROLLER_EPOCH, ...) are
/// the caller's to read: to the channel an answer is a success.
/// </summary>
public readonly record struct ControllerResponse<TResponse>(TResponse? Response, BrokerConnectionException? Failure)
    where TResponse : class
{
    public bool Succeeded => Failure is null;
}
