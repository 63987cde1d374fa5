using Gregor.Broker.Controller;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// ControlledShutdown, versions 0-3, answered by the active controller (others: NOT_CONTROLLER):
/// the partitions the shutting-down broker still leads, which it waits for before it stops.
/// </summary>
public sealed class ControlledShutdownHandler(KafkaController controller) : RequestHandler<ControlledShutdownRequest, ControlledShutdownResponse>
{
    public override short MinVersion => 1;

    protected override async ValueTask<ControlledShutdownResponse?> HandleAsync(RequestContext context, ControlledShutdownRequest request, CancellationToken cancellationToken)
    {
        if (!controller.IsActive)
        {
            return new ControlledShutdownResponse { ErrorCode = (short)ErrorCode.NotController };
        }
        var result = await controller.ControlledShutdownAsync(request.BrokerId, request.BrokerEpoch).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new ControlledShutdownResponse
        {
            ErrorCode = (short)result.Error,
            RemainingPartitions = result.Remaining.Select(p => new ControlledShutdownResponse.RemainingPartition { TopicName = p.Topic, PartitionIndex = p.Partition }).ToList(),
        };
    }
}
