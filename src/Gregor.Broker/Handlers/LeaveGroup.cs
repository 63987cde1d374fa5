using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// LeaveGroup, versions 0-5. v0-2 remove one member and answer with one error code (the group's,
/// else the member's); v3+ remove a batch, each with its own error, and a static member may be
/// removed by group.instance.id alone (administrative removal).
/// </summary>
public sealed class LeaveGroupHandler(GroupCoordinator coordinator) : RequestHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    protected override ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        IReadOnlyList<LeavingMember> leaving = version < 3
            ? [new LeavingMember(request.MemberId, null)]
            : request.Members.Select(m => new LeavingMember(m.MemberId, m.GroupInstanceId)).ToList();
        var result = coordinator.LeaveGroup(request.GroupId, leaving);
        var response = new LeaveGroupResponse();
        if (version < 3)
        {
            var memberError = result.Members.Count > 0 ? result.Members[0].Error : ErrorCode.None;
            response.ErrorCode = (short)(result.Error != ErrorCode.None ? result.Error : memberError);
            return ValueTask.FromResult<LeaveGroupResponse?>(response);
        }
        response.ErrorCode = (short)result.Error;
        foreach (var (member, error) in result.Members)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ErrorCode = (short)error,
            });
        }
        return ValueTask.FromResult<LeaveGroupResponse?>(response);
    }
}
