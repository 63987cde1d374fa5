using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>Heartbeat, versions 0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.</summary>
public sealed class HeartbeatHandler(GroupCoordinator coordinator) : RequestHandler<HeartbeatRequest, HeartbeatResponse>
{
    protected override ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        var error = coordinator.Heartbeat(request.GroupId, request.MemberId, request.GroupInstanceId, request.GenerationId);
        return ValueTask.FromResult<HeartbeatResponse?>(new HeartbeatResponse { ErrorCode = (short)error });
    }
}
