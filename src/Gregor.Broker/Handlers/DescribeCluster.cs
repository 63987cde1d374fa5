using Gregor.Broker.Admin;
using Gregor.Broker.Cluster;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DescribeCluster, versions 0-1: cluster id, controller and brokers; cluster authorized operations
/// when asked (no ACLs: every cluster operation), else Kafka's "not asked" value. v1's
/// endpoint_type: brokers (1) are described; controllers (2) is MISMATCHED_ENDPOINT_TYPE and any
/// other value UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in v0), with Kafka's messages.
/// </summary>
public sealed class DescribeClusterHandler(IMetadataCache metadata) : RequestHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokerEndpoints = 1;
    private const sbyte ControllerEndpoints = 2;

    protected override async ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request, CancellationToken cancellationToken)
    {
        var v0 = context.ApiVersion == 0;
        if (request.EndpointType is not BrokerEndpoints and not ControllerEndpoints)
        {
            return Refuse(v0 ? ErrorCode.InvalidRequest : ErrorCode.UnsupportedEndpointType, $"Unsupported endpoint type {request.EndpointType}");
        }
        if (request.EndpointType == ControllerEndpoints)
        {
            return Refuse(v0 ? ErrorCode.InvalidRequest : ErrorCode.MismatchedEndpointType,
                "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER");
        }
        await metadata.WhenReadyAsync(cancellationToken).ConfigureAwait(false);
        var response = new DescribeClusterResponse
        {
            ClusterId = metadata.ClusterId,
            ControllerId = metadata.ControllerId,
            EndpointType = BrokerEndpoints,
        };
        foreach (var broker in metadata.Brokers)
        {
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = broker.NodeId, Host = broker.Host, Port = broker.Port, Rack = broker.Rack });
        }
        if (request.IncludeClusterAuthorizedOperations)
        {
            response.ClusterAuthorizedOperations = AclOperations.AllClusterOperations;
        }
        return response;
    }

    private static DescribeClusterResponse Refuse(ErrorCode error, string message) =>
        new() { ErrorCode = (short)error, ErrorMessage = message };
}
