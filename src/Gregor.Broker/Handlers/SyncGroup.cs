using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// SyncGroup, versions 0-5. The leader's assignments are stored and relayed unread; followers'
/// responses are held until then. v5 checks the protocol type and name against the group's
/// (INCONSISTENT_GROUP_PROTOCOL) and returns them.
/// </summary>
public sealed class SyncGroupHandler(GroupCoordinator coordinator) : RequestHandler<SyncGroupRequest, SyncGroupResponse>
{
    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in request.Assignments)
        {
            assignments[a.MemberId] = a.Assignment.ToArray();
        }
        var result = await coordinator.SyncGroupAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId,
            request.ProtocolType, request.ProtocolName, assignments).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment ?? [],
        };
    }
}
