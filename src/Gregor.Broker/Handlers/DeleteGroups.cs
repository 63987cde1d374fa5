using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DeleteGroups, versions 0-2: deletes empty groups and their committed offsets, each with its own
/// error (NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for an unknown group).
/// </summary>
public sealed class DeleteGroupsHandler(GroupCoordinator coordinator) : RequestHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancellationToken)
    {
        var results = await coordinator.DeleteGroupsAsync(request.GroupsNames).WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new DeleteGroupsResponse();
        foreach (var (groupId, error) in results)
        {
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }
        return response;
    }
}
