using Gregor.Broker.Cluster;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Handlers;

/// <summary>
/// UpdateMetadata, versions 0-8, from the controller (ZooKeeper mode only): fenced by controller
/// and broker epoch (<see cref="ControllerFence"/>), then applied to the metadata cache every
/// other handler reads; a refused request is logged, as LeaderAndIsr and StopReplica log theirs.
/// <paramref name="onTopicsRemoved"/> hears of topics the update deleted.
/// </summary>
public sealed class UpdateMetadataHandler(ClusterMetadataCache cache, ControllerFence fence, ILogger<UpdateMetadataHandler> logger, Action<IReadOnlyList<string>>? onTopicsRemoved = null)
    : RequestHandler<UpdateMetadataRequest, UpdateMetadataResponse>
{
    protected override ValueTask<UpdateMetadataResponse?> HandleAsync(RequestContext context, UpdateMetadataRequest request, CancellationToken cancellationToken)
    {
        var error = fence.Check(request.ControllerEpoch, request.BrokerEpoch);
        if (error != ErrorCode.None)
        {
            logger.LogWarning("Refused UpdateMetadata from controller {Controller} with epoch {Epoch}: {Error}", request.ControllerId, request.ControllerEpoch, error);
        }
        else
        {
            var removed = cache.Apply(request);
            if (removed.Count > 0)
            {
                onTopicsRemoved?.Invoke(removed);
            }
        }
        return ValueTask.FromResult<UpdateMetadataResponse?>(new UpdateMetadataResponse { ErrorCode = (short)error });
    }
}
