using Gregor.Broker.Cluster;
using Gregor.Broker.Controller;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// AlterPartition, versions 0-3, answered by the active controller (others: NOT_CONTROLLER): a
/// partition leader's proposed ISR changes (see <see cref="KafkaController.AlterPartitionAsync"/>).
/// Topics are named at v0-1 and by id at v2+; v3 names the ISR with broker epochs
/// (<c>NewIsrWithEpochs</c>), of which the broker ids are taken.
/// </summary>
public sealed class AlterPartitionHandler(KafkaController controller) : RequestHandler<AlterPartitionRequest, AlterPartitionResponse>
{
    protected override async ValueTask<AlterPartitionResponse?> HandleAsync(RequestContext context, AlterPartitionRequest request, CancellationToken cancellationToken)
    {
        if (!controller.IsActive)
        {
            return new AlterPartitionResponse { ErrorCode = (short)ErrorCode.NotController };
        }
        var byId = context.ApiVersion >= 2;
        var topics = request.Topics.Select(t => new AlterPartitionTopic(byId ? null : t.TopicName, t.TopicId, t.Partitions.Select(p => (p.PartitionIndex,
            new IsrProposal(p.LeaderEpoch,
                context.ApiVersion >= 3 ? [.. p.NewIsrWithEpochs.Select(b => b.BrokerId)] : [.. p.NewIsr],
                (LeaderRecoveryState)p.LeaderRecoveryState,
                p.PartitionEpoch))).ToList())).ToList();
        var result = await controller.AlterPartitionAsync(request.BrokerId, request.BrokerEpoch, topics).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new AlterPartitionResponse
        {
            ErrorCode = (short)result.Error,
            Topics = result.Topics.Select(t => new AlterPartitionResponse.TopicData
            {
                TopicName = t.Name ?? "",
                TopicId = t.TopicId,
                Partitions = t.Partitions.Select(p => p.State is { } state
                    ? new AlterPartitionResponse.PartitionData
                    {
                        PartitionIndex = p.Partition,
                        ErrorCode = (short)p.Error,
                        LeaderId = state.Leader,
                        LeaderEpoch = state.LeaderEpoch,
                        Isr = [.. state.Isr],
                        LeaderRecoveryState = (sbyte)state.LeaderRecoveryState,
                        PartitionEpoch = state.PartitionEpoch,
                    }
                    : new AlterPartitionResponse.PartitionData { PartitionIndex = p.Partition, ErrorCode = (short)p.Error }).ToList(),
            }).ToList(),
        };
    }
}
