using System.Buffers;
using Gregor.Broker.Cluster;
using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;

namespace Gregor.Broker.Handlers;

/// <summary>
/// Produce, versions 0-11. Every requested partition appears in the response, in request order,
/// with its own error code. acks 0 sends no response (as Kafka does); acks 1 and -1 answer once
/// the batches are in the log, -1 once every in-sync replica has them too (the high watermark
/// passed them; see <see cref="AwaitReplicationAsync"/>; with replication factor 1 at once, after
/// the flush the log.flush.interval.* policy asks for, which the log's group commit provides); any other acks
/// value is INVALID_REQUIRED_ACKS; only the broker appends to internal topics (a client gets
/// INVALID_TOPIC_EXCEPTION, as from Kafka, even without ACLs); a failed acks=0 request closes the connection, as Kafka does. Message format v0/v1 (Produce v0-2) is converted to v2 on append.
/// A record set refused because of particular records (a CreateTime timestamp out of bounds, a
/// record without a key on a compacted topic, a misplaced offset delta) lists them in record_errors
/// (v8+) by their index among the partition's records, with error_message summarising them, as
/// Kafka does; other refusals leave record_errors empty. Kafka takes one v2 batch per partition;
/// Gregor takes several, and counts the index across them.
/// acks -1 to a partition with fewer in-sync replicas than its min.insync.replicas is
/// NOT_ENOUGH_REPLICAS, with nothing appended.
/// Departure: transactional produce is not supported yet (no transaction coordinator).
/// </summary>
public sealed class ProduceHandler(ReplicaManager replicas, IMetadataCache metadata) : RequestHandler<ProduceRequest, ProduceResponse>
{
    protected override async ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var acks = request.Acks;
        var response = new ProduceResponse();
        var count = 0;
        foreach (var topic in request.TopicData)
        {
            count += topic.PartitionData.Count;
        }
        // Every partition's append starts before any is waited for: an append completes once its
        // batches are in the log, or once flushed when the flush policy asks, and the waits overlap.
        // acks=-1 then waits, partition by partition, until the high watermark passes each
        // partition's batches, within the request's timeout_ms (Kafka's DelayedProduce).
        var pending = ArrayPool<ValueTask<AppendResult>>.Shared.Rent(count);
        CancellationTokenSource? timeout = null;
        try
        {
            var i = 0;
            foreach (var topic in request.TopicData)
            {
                foreach (var data in topic.PartitionData)
                {
                    pending[i++] = Append(acks, topic.Name, data);
                }
            }
            i = 0;
            foreach (var topic in request.TopicData)
            {
                var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
                response.Responses.Add(topicResponse);
                foreach (var data in topic.PartitionData)
                {
                    var result = await pending[i++].ConfigureAwait(false);
                    if (acks == -1 && result.Error == ErrorCode.None && result.LastOffset >= 0)
                    {
                        var (error, waited) = await AwaitReplicationAsync(topic.Name, data.Index, result.LastOffset + 1, request.TimeoutMs, timeout, cancellationToken).ConfigureAwait(false);
                        timeout = waited;
                        if (error != ErrorCode.None)
                        {
                            result = result with { Error = error, ErrorMessage = ReplicationFailure(error, topic.Name, data.Index) };
                        }
                    }
                    var partitionResponse = new ProduceResponse.PartitionProduceResponse
                    {
                        Index = data.Index,
                        ErrorCode = (short)result.Error,
                        BaseOffset = result.BaseOffset,
                        LogAppendTimeMs = result.LogAppendTime,
                        LogStartOffset = result.LogStartOffset,
                        ErrorMessage = result.ErrorMessage,
                    };
                    if (result.RecordErrors is { } recordErrors)
                    {
                        foreach (var error in recordErrors)
                        {
                            partitionResponse.RecordErrors.Add(new ProduceResponse.BatchIndexAndErrorMessage { BatchIndex = error.BatchIndex, BatchIndexErrorMessage = error.Message });
                        }
                    }
                    topicResponse.PartitionResponses.Add(partitionResponse);
                }
            }
        }
        finally
        {
            ArrayPool<ValueTask<AppendResult>>.Shared.Return(pending, clearArray: true);
            timeout?.Dispose();
        }
        if (acks == 0)
        {
            // Kafka closes the connection of an acks=0 producer whose request failed: the producer
            // gets no response, and the closed connection makes it refresh its metadata.
            var failed = response.Responses.SelectMany(t => t.PartitionResponses.Select(p => (t.Name, p))).FirstOrDefault(x => x.p.ErrorCode != 0);
            if (failed.p is not null)
            {
                throw new CloseConnectionException($"acks=0 produce to {failed.Name}-{failed.p.Index} failed with {((ErrorCode)failed.p.ErrorCode).KafkaName()}: {failed.p.ErrorMessage}");
            }
            return null;
        }
        return response;
    }

    private ValueTask<AppendResult> Append(short acks, string topic, ProduceRequest.PartitionProduceData data) =>
        acks is not (0 or 1 or -1)
            ? ValueTask.FromResult(AppendResult.Failed(ErrorCode.InvalidRequiredAcks, $"acks must be 0, 1 or -1, not {acks}"))
            : InternalTopics.IsInternal(topic)
                ? ValueTask.FromResult(AppendResult.Failed(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {topic}"))
            : replicas.GetPartition(topic, data.Index) is not { } partition
                ? ValueTask.FromResult(AppendResult.Failed(MissingPartition.ErrorFor(metadata, topic, data.Index), $"This server does not host this topic-partition: {topic}-{data.Index}"))
                : data.Records is not { } records
                    ? ValueTask.FromResult(AppendResult.Failed(ErrorCode.CorruptMessage, "no records", partition.LogStartOffset))
                    : acks == -1 && NotEnoughReplicas(topic, data.Index, partition) is { } notEnough
                        ? ValueTask.FromResult(notEnough)
                        : partition.AppendAsync(records, AppendOrigin.Client);

    /// <summary>
    /// acks=-1: waits until the partition's high watermark reaches <paramref name="requiredOffset"/>
    /// (see <see cref="Partition.CheckReplication"/>): NOT_LEADER_OR_FOLLOWER once leadership moved,
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND once the ISR fell below min.insync.replicas,
    /// REQUEST_TIMED_OUT when <paramref name="timeoutMs"/> from the first wait of the request
    /// passes. The request's timer is made on the first wait that does not complete at once
    /// (replication factor 1 never waits, and allocates nothing here) and handed back.
    /// </summary>
    private async ValueTask<(ErrorCode Error, CancellationTokenSource? Timeout)> AwaitReplicationAsync(string topic, int index, long requiredOffset,
        int timeoutMs, CancellationTokenSource? timeout, CancellationToken cancellationToken)
    {
        if (replicas.GetReplica(new TopicPartition(topic, index)) is not { } partition)
        {
            return (ErrorCode.NotLeaderOrFollower, timeout);
        }
        var (done, error) = partition.CheckReplication(requiredOffset);
        if (done)
        {
            return (error, timeout);
        }
        if (timeout is null)
        {
            timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(0, timeoutMs)));
        }
        try
        {
            return (await partition.WaitForReplicationAsync(requiredOffset, timeout.Token).ConfigureAwait(false), timeout);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (ErrorCode.RequestTimedOut, timeout);
        }
    }

    private static string ReplicationFailure(ErrorCode error, string topic, int index) => error switch
    {
        ErrorCode.RequestTimedOut => $"The in-sync replicas of {topic}-{index} did not all receive the records within the request's timeout",
        ErrorCode.NotEnoughReplicasAfterAppend => $"The in-sync replicas of {topic}-{index} fell below its min.insync.replicas after the records were appended",
        _ => $"This broker stopped leading {topic}-{index} before the records were replicated",
    };

    /// <summary>
    /// An acks=all write needs min.insync.replicas replicas in sync before anything is appended
    /// (Kafka checks before the append, so a refused batch leaves no trace in the log).
    /// </summary>
    private AppendResult? NotEnoughReplicas(string topic, int index, Partition partition)
    {
        var required = partition.Config.MinInSyncReplicas;
        if (required <= 1)
        {
            return null;
        }
        var inSync = partition.Isr.Count;
        return inSync >= required
            ? null
            : AppendResult.Failed(ErrorCode.NotEnoughReplicas,
                $"The {inSync} in-sync replica(s) of {topic}-{index} are fewer than its min.insync.replicas={required}", partition.LogStartOffset);
    }
}
