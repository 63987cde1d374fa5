using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Requests;

/// <summary>
/// Handles one API key. The dispatcher advertises [MinVersion, MaxVersion] in ApiVersions and
/// only passes requests within that range.
/// </summary>
public interface IRequestHandler
{
    ApiKey ApiKey { get; }

    short MinVersion { get; }

    short MaxVersion { get; }

    /// <summary>Decodes the body (a <see cref="ProtocolException"/> means a malformed request) and
    /// returns the response, or null when none is sent (Produce with acks=0).</summary>
    ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}

/// <summary>Base for handlers of one generated request/response pair.</summary>
public abstract class RequestHandler<TRequest, TResponse> : IRequestHandler
    where TRequest : IKafkaMessage<TRequest>
    where TResponse : IKafkaMessage<TResponse>
{
    public ApiKey ApiKey => (ApiKey)TRequest.ApiKey;

    public virtual short MinVersion => TRequest.LowestVersion;

    public virtual short MaxVersion => TRequest.HighestVersion;

    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var request = Decode(body, context.ApiVersion);
        return await HandleAsync(context, request, cancellationToken).ConfigureAwait(false);
    }

    private static TRequest Decode(ReadOnlyMemory<byte> body, short version)
    {
        var reader = new KafkaReader(body);
        return TRequest.Read(ref reader, version);
    }

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);
}
