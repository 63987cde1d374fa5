using System.Diagnostics;
using Gregor.Broker.Cluster;
using Gregor.Broker.Fetching;
using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.Broker.Handlers;

/// <summary>
/// Fetch, versions 0-17, for consumers (a replica id of a follower is treated as a consumer: there
/// are no followers on a single node).
/// <list type="bullet">
/// <item>Long polling: when fewer than min_bytes are available the request parks on the partitions'
/// append signals until data arrives or max_wait_ms expires.</item>
/// <item>Limits: partition_max_bytes per partition and max_bytes (v3+) per response; the first batch
/// of the response is returned whole even if it exceeds them, as Kafka does, so a consumer never stalls.</item>
/// <item>The read always starts with the batch that contains the fetch offset; consumers skip the
/// records before their offset themselves.</item>
/// <item>Sessions (v7+, KIP-227): <see cref="FetchPlanner"/> decides which partitions a request
/// reads; a request continuing a session is answered with only the partitions that changed.</item>
/// <item>v13+ names topics by id (unknown: UNKNOWN_TOPIC_ID). Versions 0-3 get message format v0/v1,
/// converted from the stored v2 batches one at a time while the response is sent, no more than the
/// limits allow (see <see cref="DownConvertedRecords"/>).</item>
/// <item>A partition listed twice is read once (see <see cref="FetchPlanner"/>).</item>
/// </list>
/// A partition whose log dir is offline gets KAFKA_STORAGE_ERROR, as in Kafka.
/// Departure: isolation level read_committed reads up to the high watermark (there are no
/// transactions yet, so the last stable offset is the high watermark).
/// </summary>
public sealed class FetchHandler(ReplicaManager replicas, IMetadataCache metadata, FetchSessionCache sessions)
    : RequestHandler<FetchRequest, FetchResponse>
{
    private readonly FetchPlanner _planner = new(metadata, sessions);

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var plan = _planner.Plan(request, version);
        if (plan.Error != ErrorCode.None)
        {
            return new FetchResponse { ErrorCode = (short)plan.Error, SessionId = 0 };
        }
        var responseMaxBytes = version >= 3 ? request.MaxBytes : int.MaxValue;
        // The deadline is kept on the high-resolution monotonic clock: Environment.TickCount64 is
        // the coarse kernel clock on Linux (4 ms steps), which answered empty fetches early. Kafka
        // never answers an empty fetch before max_wait_ms, and a timer may fire a little early,
        // so the loop waits again until the clock says the wait is over.
        var deadline = Stopwatch.GetTimestamp() + (long)(Math.Max(0, request.MaxWaitMs) * (double)Stopwatch.Frequency / 1000);
        var reads = ReadAll(plan.Partitions, responseMaxBytes);
        while (!IsEnough(reads, request.MinBytes) && Stopwatch.GetTimestamp() < deadline)
        {
            // Take the signals first, then look again, so an append in between is not missed.
            var signals = plan.Partitions.Select(p => replicas.GetPartition(p.Topic, p.Key.Partition)?.DataArrived).OfType<Task>().ToList();
            reads = ReadAll(plan.Partitions, responseMaxBytes);
            if (IsEnough(reads, request.MinBytes) || signals.Count == 0)
            {
                break;
            }
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), timeout.Token);
            await Task.WhenAny(Task.WhenAny(signals), delay).ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            reads = ReadAll(plan.Partitions, responseMaxBytes);
        }
        return BuildResponse(version, plan, reads);
    }

    private static bool IsEnough(List<PartitionRead> reads, int minBytes)
    {
        var bytes = 0L;
        foreach (var read in reads)
        {
            if (read.Error != ErrorCode.None)
            {
                return true;
            }
            bytes += read.Result.Region.Length;
        }
        return bytes >= Math.Max(1, minBytes);
    }

    private readonly record struct PartitionRead(ErrorCode Error, LogReadResult Result, Partition? Partition);

    private List<PartitionRead> ReadAll(List<PlannedPartition> planned, int responseMaxBytes)
    {
        var reads = new List<PartitionRead>(planned.Count);
        var budget = (long)responseMaxBytes;
        foreach (var p in planned)
        {
            var partition = replicas.GetPartition(p.Topic, p.Key.Partition);
            if (partition is null || (!p.Key.TopicId.IsZero && partition.TopicId != p.Key.TopicId))
            {
                reads.Add(new PartitionRead(p.Key.TopicId.IsZero || metadata.FindTopic(p.Key.TopicId) is not null ? MissingPartition.ErrorFor(metadata, p.Topic, p.Key.Partition) : ErrorCode.UnknownTopicId, default, null));
                continue;
            }
            try
            {
                var limit = (int)Math.Max(0, Math.Min(p.MaxBytes, budget));
                var isFirst = budget == responseMaxBytes;
                var result = partition.Read(p.FetchOffset, limit, minOneBatch: isFirst, ReadLimit.HighWatermark);
                budget -= result.Region.Length;
                reads.Add(new PartitionRead(ErrorCode.None, result, partition));
            }
            catch (OffsetOutOfRangeException)
            {
                reads.Add(new PartitionRead(ErrorCode.OffsetOutOfRange, default, partition));
            }
            catch (KafkaStorageException)
            {
                reads.Add(new PartitionRead(ErrorCode.KafkaStorageError, default, partition));
            }
        }
        return reads;
    }

    private static FetchResponse BuildResponse(short version, FetchPlan plan, List<PartitionRead> reads)
    {
        var response = new FetchResponse { SessionId = plan.Session?.Id ?? 0 };
        FetchResponse.FetchableTopicResponse? current = null;
        for (var i = 0; i < plan.Partitions.Count; i++)
        {
            var planned = plan.Partitions[i];
            var read = reads[i];
            var highWatermark = read.Error == ErrorCode.None ? read.Result.HighWatermark : read.Partition?.HighWatermark ?? -1;
            var logStartOffset = read.Error == ErrorCode.None ? read.Result.LogStartOffset : read.Partition?.LogStartOffset ?? -1;
            var cached = planned.Cached;
            if (plan.Incremental && cached is not null && read.Error == ErrorCode.None && read.Result.Region.IsEmpty
                && cached.LastHighWatermark == highWatermark && cached.LastLogStartOffset == logStartOffset)
            {
                continue;
            }
            if (cached is not null)
            {
                cached.LastHighWatermark = highWatermark;
                cached.LastLogStartOffset = logStartOffset;
            }
            if (current is null || current.Topic != planned.Topic || current.TopicId != planned.Key.TopicId)
            {
                current = new FetchResponse.FetchableTopicResponse { Topic = planned.Topic, TopicId = planned.Key.TopicId };
                response.Responses.Add(current);
            }
            current.Partitions.Add(new FetchResponse.PartitionData
            {
                PartitionIndex = planned.Key.Partition,
                ErrorCode = (short)read.Error,
                HighWatermark = highWatermark,
                LastStableOffset = highWatermark,
                LogStartOffset = logStartOffset,
                AbortedTransactions = version >= 4 ? [] : null,
                Records = read.Error == ErrorCode.None ? Materialize(version, read.Result.Region) : ReadOnlyMemory<byte>.Empty,
            });
        }
        return response;
    }

    /// <summary>
    /// The record bytes of a region: v4+ refer to the file region itself (sent with sendfile);
    /// Fetch v0-3 get the region converted to message format v0 (v0-1) or v1 (v2-3) as it is sent.
    /// </summary>
    private static ReadOnlyMemory<byte> Materialize(short version, FileRegion region)
    {
        if (region.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
        return version >= 4 ? new FileRegionMemory(region).Memory : new DownConvertedRecords(region, version >= 2 ? (byte)1 : (byte)0).Memory;
    }
}
