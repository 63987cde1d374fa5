using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// JoinGroup, versions 0-9 (classic group protocol). The response is held until the join phase of
/// the rebalance completes. v0 has no rebalance timeout: the session timeout is used, as Kafka
/// does. v4+ new dynamic members first get MEMBER_ID_REQUIRED with their id; v5+ carry
/// group.instance.id (static membership); v9's SkipAssignment is set for a static leader rejoining a
/// stable group. Protocol metadata is relayed to the leader unread.
/// </summary>
public sealed class JoinGroupHandler(GroupCoordinator coordinator) : RequestHandler<JoinGroupRequest, JoinGroupResponse>
{
    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var join = new JoinGroupParameters
        {
            GroupId = request.GroupId,
            MemberId = request.MemberId,
            GroupInstanceId = request.GroupInstanceId,
            ClientId = context.ClientId ?? "",
            ClientHost = ClientAddress.Format(context.RemoteEndPoint),
            SessionTimeoutMs = request.SessionTimeoutMs,
            RebalanceTimeoutMs = version == 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs,
            ProtocolType = request.ProtocolType,
            // The request buffer is reused after the call: keep copies.
            Protocols = request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata.ToArray())).ToList(),
            RequireKnownMemberId = version >= 4,
            SupportsSkippingAssignment = version >= 9,
        };
        var result = await coordinator.JoinGroupAsync(join).WaitAsync(cancellationToken).ConfigureAwait(false);
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Leader = result.LeaderId,
            SkipAssignment = version >= 9 && result.SkipAssignment,
            MemberId = result.MemberId,
        };
        foreach (var member in result.MembersOrEmpty)
        {
            response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                Metadata = member.Metadata,
            });
        }
        return response;
    }
}
