using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// ListGroups, versions 0-5: every group with its protocol type; v4+ its state and a states filter
/// (case-insensitive, empty: all); v5+ its type, always "classic", and a types filter.
/// </summary>
public sealed class ListGroupsHandler(GroupCoordinator coordinator) : RequestHandler<ListGroupsRequest, ListGroupsResponse>
{
    protected override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var (error, groups) = coordinator.ListGroups(version >= 4 ? request.StatesFilter : null, version >= 5 ? request.TypesFilter : null);
        var response = new ListGroupsResponse { ErrorCode = (short)error };
        foreach (var g in groups)
        {
            response.Groups.Add(new ListGroupsResponse.ListedGroup
            {
                GroupId = g.GroupId,
                ProtocolType = g.ProtocolType,
                GroupState = g.State.ToString(),
                GroupType = GroupCoordinator.ClassicGroupType,
            });
        }
        return ValueTask.FromResult<ListGroupsResponse?>(response);
    }
}
