using Gregor.Broker.Producers;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// InitProducerId, versions 0-5, for idempotent producers: as Kafka does for a request without a
/// transactional id, every call gets a fresh producer id (never reused, even across restarts) with
/// epoch 0, whatever id and epoch the request carries (KIP-360 bumps are answered the same way).
/// Departure: transactions are not supported yet, so a transactional id gets
/// COORDINATOR_NOT_AVAILABLE.
/// </summary>
public sealed class InitProducerIdHandler(ProducerIdManager producerIds)
    : RequestHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    protected override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request, CancellationToken cancellationToken)
    {
        var response = string.IsNullOrEmpty(request.TransactionalId)
            ? new InitProducerIdResponse { ProducerId = producerIds.NextProducerId(), ProducerEpoch = 0 }
            : new InitProducerIdResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable, ProducerId = -1, ProducerEpoch = -1 };
        return ValueTask.FromResult<InitProducerIdResponse?>(response);
    }
}
