using Gregor.Broker.Cluster;
using Gregor.Broker.Groups;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// FindCoordinator, versions 0-6: one key (v0-3) or a batch of keys (v4+). A group key (key type 0)
/// names the leader of the group's __consumer_offsets partition as the metadata says
/// (<see cref="GroupCoordinator.CoordinatorFor"/>; a single-node broker leads them all, and the
/// lookup creates the topic when missing, as Kafka does), or gets COORDINATOR_NOT_AVAILABLE when the
/// partition has no leader. There is no transaction coordinator yet: transaction keys (key type 1)
/// get COORDINATOR_NOT_AVAILABLE (clients retry) unless <paramref name="servesTransactions"/>, then
/// name this broker. Other key types get INVALID_REQUEST.
/// </summary>
public sealed class FindCoordinatorHandler(BrokerEndpoint self, GroupCoordinator groups, bool servesTransactions = false)
    : RequestHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion >= 4)
        {
            foreach (var key in request.CoordinatorKeys)
            {
                var (error, message, node) = Resolve(request.KeyType, key);
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                    NodeId = node?.NodeId ?? -1,
                    Host = node?.Host ?? "",
                    Port = node?.Port ?? -1,
                });
            }
        }
        else
        {
            var (error, message, node) = Resolve(request.KeyType, request.Key);
            response.ErrorCode = (short)error;
            response.ErrorMessage = message;
            response.NodeId = node?.NodeId ?? -1;
            response.Host = node?.Host ?? "";
            response.Port = node?.Port ?? -1;
        }
        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    private (ErrorCode Error, string? Message, BrokerEndpoint? Node) Resolve(sbyte keyType, string key) => keyType switch
    {
        GroupKeyType => groups.CoordinatorFor(key) is { } leader
            ? (ErrorCode.None, null, leader)
            : (ErrorCode.CoordinatorNotAvailable, "the group's __consumer_offsets partition has no leader", null),
        TransactionKeyType when servesTransactions => (ErrorCode.None, null, self),
        TransactionKeyType => (ErrorCode.CoordinatorNotAvailable, "this broker has no transaction coordinator", null),
        _ => (ErrorCode.InvalidRequest, $"unknown coordinator key type {keyType}", null),
    };
}
