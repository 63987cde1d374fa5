using Gregor.Protocol.Messages;

namespace Gregor.Broker.Controller;

/// <summary>
/// The controller's connections to the brokers: requests to one broker are delivered in order,
/// retried until they succeed or the broker is removed; the callback gets the response, or null
/// when the broker was removed first.
/// </summary>
public interface IControllerChannel
{
    void AddBroker(LiveBroker broker);

    void RemoveBroker(int brokerId);

    void Send<TRequest, TResponse>(int brokerId, TRequest request, short version, Action<TResponse?> callback)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : class, IKafkaMessage<TResponse>;
}
