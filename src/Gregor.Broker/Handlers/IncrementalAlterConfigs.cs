using Gregor.Broker.Admin;
using Gregor.Broker.Config;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs, versions 0-1: SET, DELETE, APPEND and SUBTRACT (list keys only)
/// applied to a topic's overrides or a layer of dynamic broker configs ("" cluster-wide, our id for
/// this broker), then validated as a whole — INVALID_CONFIG for topics (as Kafka's controller
/// answers), INVALID_REQUEST for broker resources (non-dynamic keys, invalid values). A resource
/// named twice, a key named twice, a null value for anything but DELETE, or an unknown operation
/// is INVALID_REQUEST. validate_only checks without changing anything.
/// Departure: BROKER_LOGGER (log levels) is not supported (INVALID_REQUEST).
/// </summary>
public sealed class IncrementalAlterConfigsHandler(ConfigAdmin admin) : RequestHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    protected override async ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request, CancellationToken cancellationToken)
    {
        var response = new IncrementalAlterConfigsResponse();
        var repeated = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        foreach (var resource in request.Resources)
        {
            var error = repeated.Contains((resource.ResourceType, resource.ResourceName))
                ? new ApiError(ErrorCode.InvalidRequest, "Each resource must appear at most once.")
                : await AlterAsync(resource, request.ValidateOnly, cancellationToken).ConfigureAwait(false);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)error.Error,
                ErrorMessage = error.Message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return response;
    }

    private async ValueTask<ApiError> AlterAsync(IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly, CancellationToken cancellationToken)
    {
        if (resource.Configs.GroupBy(c => c.Name).Any(g => g.Count() > 1))
        {
            return new ApiError(ErrorCode.InvalidRequest, "Error due to duplicate config keys");
        }
        var unknownOp = resource.Configs.FirstOrDefault(c => !Enum.IsDefined((AlterConfigOp)c.ConfigOperation));
        if (unknownOp is not null)
        {
            return new ApiError(ErrorCode.InvalidRequest, $"Unknown operations type {unknownOp.ConfigOperation}");
        }
        var nulls = resource.Configs.Where(c => c.Value is null && (AlterConfigOp)c.ConfigOperation != AlterConfigOp.Delete).Select(c => c.Name).ToList();
        if (nulls.Count > 0)
        {
            return new ApiError(ErrorCode.InvalidRequest, "Null value not supported for : " + string.Join(", ", nulls));
        }
        var operations = resource.Configs.Select(c => (c.Name, (AlterConfigOp)c.ConfigOperation, c.Value)).ToList();
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                return await admin.AlterTopicAsync(resource.ResourceName, current => ConfigAdmin.ApplyIncremental(current, operations,
                    name => TopicConfigDefinitions.TryGet(name, out var key) ? key.Type == ConfigType.List : null,
                    name => ConfigValues.Format(TopicConfigDefinitions.Resolve(admin.Brokers.Current, current).Get(name))), validateOnly, cancellationToken).ConfigureAwait(false);
            case ConfigResourceType.Broker:
                return admin.AlterBroker(resource.ResourceName, current => ConfigAdmin.ApplyIncremental(current, operations,
                    name => BrokerConfigDefinitions.TryGet(name, out var key) ? key.Type == ConfigType.List : null,
                    name => ConfigValues.Format(admin.Brokers.Current.Get(name))), validateOnly);
            default:
                return new ApiError(ErrorCode.InvalidRequest, $"Unknown resource type {resource.ResourceType}");
        }
    }
}
