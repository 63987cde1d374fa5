using Gregor.Protocol.Messages;

namespace Gregor.Broker.InterBroker;

/// <summary>Checks that a request type, response type and version fit together before anything is sent or queued.</summary>
internal static class RequestPair
{
    public static void Validate<TRequest, TResponse>(short version)
        where TRequest : IKafkaMessage<TRequest>
        where TResponse : IKafkaMessage<TResponse>
    {
        if (TRequest.ApiKey != TResponse.ApiKey)
        {
            throw new ArgumentException($"{typeof(TResponse).Name} is not the response of {typeof(TRequest).Name}");
        }
        if (version < TRequest.LowestVersion || version > TRequest.HighestVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version,
                $"{typeof(TRequest).Name} has versions {TRequest.LowestVersion}-{TRequest.HighestVersion}");
        }
    }
}
