using Gregor.Broker.Admin;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// AlterConfigs (the legacy, deprecated form), versions 0-2: the given configs replace all of a
/// resource's overrides — a topic's (validated: INVALID_CONFIG with the reason) or a layer of
/// dynamic broker configs ("" cluster-wide, our id for this broker; non-dynamic keys and invalid
/// values are INVALID_REQUEST). A resource named twice, a key named twice, or a null value is
/// INVALID_REQUEST, as Kafka answers; validate_only checks without changing anything.
/// Departure: no alter-config policy plug-in.
/// </summary>
public sealed class AlterConfigsHandler(ConfigAdmin admin) : RequestHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    protected override async ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new AlterConfigsResponse();
        var repeated = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var resource in request.Resources)
        {
            var error = repeated.Contains((resource.ResourceType, resource.ResourceName))
                ? new ApiError(ErrorCode.InvalidRequest, "Each resource must appear at most once.")
                : await AlterAsync(resource, request.ValidateOnly, cancellationToken).ConfigureAwait(false);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)error.Error,
                ErrorMessage = error.Message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return response;
    }

    private async ValueTask<ApiError> AlterAsync(AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly, CancellationToken cancellationToken)
    {
        if (resource.Configs.GroupBy(c => c.Name).Any(g => g.Count() > 1))
        {
            return new ApiError(ErrorCode.InvalidRequest, "Error due to duplicate config keys");
        }
        var nulls = resource.Configs.Where(c => c.Value is null).Select(c => c.Name).ToList();
        if (nulls.Count > 0)
        {
            return new ApiError(ErrorCode.InvalidRequest, "Null value not supported for : " + string.Join(", ", nulls));
        }
        IReadOnlyDictionary<string, string> replacement = resource.Configs.ToDictionary(c => c.Name, c => c.Value!, StringComparer.Ordinal);
        return (ConfigResourceType)resource.ResourceType switch
        {
            ConfigResourceType.Topic => await admin.AlterTopicAsync(resource.ResourceName, _ => replacement, validateOnly, cancellationToken).ConfigureAwait(false),
            ConfigResourceType.Broker => admin.AlterBroker(resource.ResourceName, _ => replacement, validateOnly),
            _ => new ApiError(ErrorCode.InvalidRequest, $"Unknown resource type {resource.ResourceType}"),
        };
    }
}
