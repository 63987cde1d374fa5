using Gregor.Broker.Cluster;
using Gregor.Broker.Handlers;
using Gregor.Broker.Requests;

namespace Gregor.Broker.Groups;

/// <summary>The request handlers served by the group coordinator, for the broker to register.</summary>
public static class GroupHandlers
{
    public static IEnumerable<IRequestHandler> Create(GroupCoordinator coordinator, IMetadataCache metadata, BrokerEndpoint self) =>
    [
        new FindCoordinatorHandler(self, coordinator),
        new JoinGroupHandler(coordinator),
        new SyncGroupHandler(coordinator),
        new HeartbeatHandler(coordinator),
        new LeaveGroupHandler(coordinator),
        new OffsetCommitHandler(coordinator, metadata),
        new OffsetFetchHandler(coordinator),
        new DescribeGroupsHandler(coordinator),
        new ListGroupsHandler(coordinator),
        new DeleteGroupsHandler(coordinator),
        new OffsetDeleteHandler(coordinator, metadata),
    ];
}
