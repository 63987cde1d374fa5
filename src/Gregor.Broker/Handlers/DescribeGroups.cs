using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DescribeGroups, versions 0-5: each group's state, protocol type, protocol and members in request
/// order; members' metadata and assignment only for a Stable group. A group this coordinator does
/// not know is described as Dead with no error, as Kafka does up to v5. There are no ACLs: the
/// authorized operations (v3+, when asked for) are every group operation.
/// </summary>
public sealed class DescribeGroupsHandler(GroupCoordinator coordinator) : RequestHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    /// <summary>Kafka's AclOperation codes READ(3), DELETE(6), DESCRIBE(8) as a bit field: what applies to a group.</summary>
    private const int AllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

    protected override ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request, CancellationToken cancellationToken)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            var summary = coordinator.DescribeGroup(groupId);
            var described = new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)summary.Error,
                GroupId = groupId,
                GroupState = summary.State,
                ProtocolType = summary.ProtocolType,
                ProtocolData = summary.Protocol,
            };
            if (request.IncludeAuthorizedOperations)
            {
                described.AuthorizedOperations = AllGroupOperations;
            }
            foreach (var m in summary.Members)
            {
                described.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                });
            }
            response.Groups.Add(described);
        }
        return ValueTask.FromResult<DescribeGroupsResponse?>(response);
    }
}
