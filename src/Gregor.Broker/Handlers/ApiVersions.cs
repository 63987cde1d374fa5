using System.Text.RegularExpressions;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// ApiVersions, versions 0-3. Advertises exactly the handlers registered with the dispatcher.
/// A version above 3 never reaches this handler: the dispatcher answers it with
/// UNSUPPORTED_VERSION in the v0 layout (KIP-511), and the response header is always v0.
/// As Kafka does, v3+ requests whose client software name or version are not of the form
/// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? get INVALID_REQUEST.
/// </summary>
public sealed partial class ApiVersionsHandler(IEnumerable<IRequestHandler> handlers)
    : RequestHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    public override short MaxVersion => 3;

    [GeneratedRegex(@"^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$")]
    private static partial Regex SoftwareField();

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request, CancellationToken cancellationToken)
    {
        var response = new ApiVersionsResponse();
        if (context.ApiVersion >= 3 && (!SoftwareField().IsMatch(request.ClientSoftwareName) || !SoftwareField().IsMatch(request.ClientSoftwareVersion)))
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            return ValueTask.FromResult<ApiVersionsResponse?>(response);
        }
        foreach (var handler in handlers.OrderBy(h => h.ApiKey))
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.ApiKey,
                MinVersion = handler.MinVersion,
                MaxVersion = handler.MaxVersion,
            });
        }
        return ValueTask.FromResult<ApiVersionsResponse?>(response);
    }
}
