using Gregor.Protocol.Messages;

namespace Gregor.Broker.InterBroker;

/// <summary>A request waiting in one broker's queue of the <see cref="ControllerChannelManager"/>, with the callback it ends in.</summary>
internal abstract class QueuedRequest
{
    public abstract string Description { get; }

    /// <summary>Sends the request on <paramref name="connection"/> and keeps its response for <see cref="Complete"/>.</summary>
    public abstract Task SendAsync(BrokerConnection connection, CancellationToken cancellationToken);

    /// <summary>Hands the response kept by <see cref="SendAsync"/> to the callback.</summary>
    public abstract void Complete();

    public abstract void Fail(BrokerConnectionException failure);
}

internal sealed class QueuedRequest<TRequest, TResponse>(TRequest request, short version, Action<ControllerResponse<TResponse>> callback)
    : QueuedRequest
    where TRequest : IKafkaMessage<TRequest>
    where TResponse : class, IKafkaMessage<TResponse>
{
    private TResponse? _response;

    public override string Description => $"{ApiMessages.Find(TRequest.ApiKey)?.Name ?? typeof(TRequest).Name} v{version}";

    public override async Task SendAsync(BrokerConnection connection, CancellationToken cancellationToken) =>
        _response = await connection.SendAsync<TRequest, TResponse>(request, version, cancellationToken).ConfigureAwait(false);

    public override void Complete() => callback(new ControllerResponse<TResponse>(_response, null));

    public override void Fail(BrokerConnectionException failure) => callback(new ControllerResponse<TResponse>(null, failure));
}
