using Gregor.Broker.Controller;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.InterBroker;

/// <summary>
/// The controller's channels (<see cref="IControllerChannel"/>) over <see cref="ControllerChannelManager"/>:
/// a broker is reached at its endpoint of the inter-broker listener, or its first endpoint.
/// </summary>
public sealed class ControllerChannel(ControllerChannelManager manager, string interBrokerListener) : IControllerChannel
{
    public void AddBroker(LiveBroker broker)
    {
        var endpoint = broker.Endpoints.FirstOrDefault(e => e.Listener == interBrokerListener) ?? broker.Endpoints.FirstOrDefault();
        if (endpoint is not null)
        {
            manager.AddBroker(broker.Id, endpoint.Host, endpoint.Port);
        }
    }

    public void RemoveBroker(int brokerId) => _ = manager.RemoveBrokerAsync(brokerId);

    public void Send<TRequest, TResponse>(int brokerId, TRequest request, short version, Action<TResponse?> callback)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : class, IKafkaMessage<TResponse> =>
        manager.Enqueue<TRequest, TResponse>(brokerId, request, version, r => callback(r.Response));
}
