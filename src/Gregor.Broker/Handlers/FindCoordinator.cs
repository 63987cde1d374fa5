using Gregor.Broker.Cluster;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// FindCoordinator, versions 0-6: one key (v0-3) or a batch of keys (v4+). A single-node broker is
/// the coordinator of every group, so group keys (key type 0) always name this broker. There is no
/// transaction coordinator yet: transaction keys (key type 1) get COORDINATOR_NOT_AVAILABLE
/// (clients retry) unless <paramref name="servesTransactions"/>. Other key types get INVALID_REQUEST.
/// Unlike Kafka, this does not create __consumer_offsets on first use (the group store owns that).
/// </summary>
public sealed class FindCoordinatorHandler(BrokerEndpoint self, bool servesTransactions = false)
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
                var (error, message) = Resolve(request.KeyType);
                var found = error == ErrorCode.None;
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                    NodeId = found ? self.NodeId : -1,
                    Host = found ? self.Host : "",
                    Port = found ? self.Port : -1,
                });
            }
        }
        else
        {
            var (error, message) = Resolve(request.KeyType);
            var found = error == ErrorCode.None;
            response.ErrorCode = (short)error;
            response.ErrorMessage = message;
            response.NodeId = found ? self.NodeId : -1;
            response.Host = found ? self.Host : "";
            response.Port = found ? self.Port : -1;
        }
        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    private (ErrorCode Error, string? Message) Resolve(sbyte keyType) => keyType switch
    {
        GroupKeyType => (ErrorCode.None, null),
        TransactionKeyType when servesTransactions => (ErrorCode.None, null),
        TransactionKeyType => (ErrorCode.CoordinatorNotAvailable, "this broker has no transaction coordinator"),
        _ => (ErrorCode.InvalidRequest, $"unknown coordinator key type {keyType}"),
    };
}
