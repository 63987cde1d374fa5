using System.Diagnostics;
using Gregor.Broker.Cluster;
using Gregor.Broker.Fetching;
using Gregor.Broker.Partitions;
using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using Gregor.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.Broker.Handlers;

/// <summary>
/// Fetch, versions 0-17, for consumers and followers.
/// <list type="bullet">
/// <item>A follower names itself by replica id (ReplicaId below v15, ReplicaState at v15+): it reads
/// up to the log end, its fetch offset is recorded as its log end (see
/// <see cref="Partition.UpdateFollowerFetchState"/>: the high watermark may move, the ISR may
/// grow), and it parks on appends. A replica id that is not an assigned replica of the partition
/// is served as a consumer, never past the high watermark, with a warning (Kafka's CVE-2018-1288).
/// Consumers read up to the high watermark and park on its moves.</item>
/// <item>CurrentLeaderEpoch (v9+, also from consumers): FENCED_LEADER_EPOCH when older than the
/// partition's, UNKNOWN_LEADER_EPOCH when newer. LastFetchedEpoch (v12+): when the log holds that
/// epoch ending before the fetch offset, or only an older epoch, the answer is DivergingEpoch (the
/// largest epoch held at or below it and its end offset) with no records; when it holds no epoch at
/// or below it, OFFSET_OUT_OF_RANGE (as Kafka).</item>
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
public sealed class FetchHandler(ReplicaManager replicas, IMetadataCache metadata, FetchSessionCache sessions,
    ILogger<FetchHandler>? logger = null, IIsrChangeSender? isrChanges = null, TimeProvider? time = null)
    : RequestHandler<FetchRequest, FetchResponse>
{
    private readonly FetchPlanner _planner = new(metadata, sessions);
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

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
        var replicaId = version >= 15 ? request.ReplicaState.ReplicaId : request.ReplicaId;
        var reads = ReadAll(plan.Partitions, responseMaxBytes, replicaId);
        while (!IsEnough(reads, request.MinBytes) && Stopwatch.GetTimestamp() < deadline)
        {
            // Take the signals first, then look again, so an append in between is not missed.
            // Followers wait for appends (they read to the log end), consumers for the high watermark.
            var signals = plan.Partitions.Select(p => replicas.GetPartition(p.Topic, p.Key.Partition) is { } held
                ? replicaId >= 0 ? held.DataArrived : held.HighWatermarkMoved
                : null).OfType<Task>().ToList();
            reads = ReadAll(plan.Partitions, responseMaxBytes, replicaId);
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
            reads = ReadAll(plan.Partitions, responseMaxBytes, replicaId);
        }
        return BuildResponse(version, plan, reads);
    }

    private static bool IsEnough(List<PartitionRead> reads, int minBytes)
    {
        var bytes = 0L;
        foreach (var read in reads)
        {
            if (read.Error != ErrorCode.None || read.Diverging is not null)
            {
                return true;
            }
            bytes += read.Result.Region.Length;
        }
        return bytes >= Math.Max(1, minBytes);
    }

    /// <summary>One partition's read; <see cref="Follower"/>: read for an assigned follower, to the log end; <see cref="Diverging"/>: the follower's log diverged (nothing read).</summary>
    private readonly record struct PartitionRead(ErrorCode Error, LogReadResult Result, Partition? Partition)
    {
        public bool Follower { get; init; }

        public FetchResponse.EpochEndOffset? Diverging { get; init; }
    }

    private List<PartitionRead> ReadAll(List<PlannedPartition> planned, int responseMaxBytes, int replicaId)
    {
        var reads = new List<PartitionRead>(planned.Count);
        var budget = (long)responseMaxBytes;
        foreach (var p in planned)
        {
            var partition = replicas.GetPartition(p.Topic, p.Key.Partition);
            if (partition is null || (!p.Key.TopicId.IsZero && partition.TopicId != p.Key.TopicId))
            {
                reads.Add(new PartitionRead(NotLedHere(p), default, null));
                continue;
            }
            if (EpochError(p.CurrentLeaderEpoch, partition.LeaderEpoch) is { } fenced)
            {
                reads.Add(new PartitionRead(fenced, default, partition));
                continue;
            }
            var follower = replicaId >= 0 && IsFollower(partition, replicaId);
            try
            {
                if (p.LastFetchedEpoch >= 0)
                {
                    var (epoch, endOffset) = partition.EndOffsetForEpoch(p.LastFetchedEpoch);
                    if (epoch < 0 || endOffset < 0)
                    {
                        throw new OffsetOutOfRangeException($"no epoch at or below {p.LastFetchedEpoch} in {partition.TopicPartition}");
                    }
                    if (epoch < p.LastFetchedEpoch || endOffset < p.FetchOffset)
                    {
                        reads.Add(new PartitionRead(ErrorCode.None, default, partition)
                        {
                            Follower = follower,
                            Diverging = new FetchResponse.EpochEndOffset { Epoch = epoch, EndOffset = endOffset },
                        });
                        continue;
                    }
                }
                var limit = (int)Math.Max(0, Math.Min(p.MaxBytes, budget));
                var isFirst = budget == responseMaxBytes;
                var result = partition.Read(p.FetchOffset, limit, minOneBatch: isFirst, follower ? ReadLimit.LogEnd : ReadLimit.HighWatermark);
                budget -= result.Region.Length;
                if (follower)
                {
                    partition.UpdateFollowerFetchState(replicaId, p.FetchOffset, p.LogStartOffset, _time.GetUtcNow().ToUnixTimeMilliseconds(), isrChanges);
                }
                reads.Add(new PartitionRead(ErrorCode.None, result, partition) { Follower = follower });
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

    /// <summary>A partition not led here: as <see cref="MissingPartition"/> says, unless the replica held here fences the requested leader epoch first (Kafka checks the epoch before leadership).</summary>
    private ErrorCode NotLedHere(PlannedPartition p)
    {
        var error = p.Key.TopicId.IsZero || metadata.FindTopic(p.Key.TopicId) is not null ? MissingPartition.ErrorFor(metadata, p.Topic, p.Key.Partition) : ErrorCode.UnknownTopicId;
        return error == ErrorCode.NotLeaderOrFollower && p.CurrentLeaderEpoch >= 0
            && replicas.GetReplica(new TopicPartition(p.Topic, p.Key.Partition)) is { } held
            && EpochError(p.CurrentLeaderEpoch, held.LeaderEpoch) is { } fenced
                ? fenced
                : error;
    }

    /// <summary>The request's current leader epoch against the partition's (-1: not checked).</summary>
    internal static ErrorCode? EpochError(int requested, int current) =>
        requested < 0 || requested == current ? null
        : requested < current ? ErrorCode.FencedLeaderEpoch
        : ErrorCode.UnknownLeaderEpoch;

    /// <summary>Only an assigned replica other than this broker is trusted as a follower; any other replica id is read for as a consumer.</summary>
    private bool IsFollower(Partition partition, int replicaId)
    {
        if (replicaId != partition.LocalBrokerId && partition.AssignedReplicas.Contains(replicaId))
        {
            return true;
        }
        _logger.LogWarning("Fetch from replica id {ReplicaId}, not a follower of {Partition} (replicas {Replicas}): served as a consumer, up to the high watermark",
            replicaId, partition.TopicPartition, string.Join(",", partition.AssignedReplicas));
        return false;
    }

    private static FetchResponse BuildResponse(short version, FetchPlan plan, List<PartitionRead> reads)
    {
        var response = new FetchResponse { SessionId = plan.Session?.Id ?? 0 };
        FetchResponse.FetchableTopicResponse? current = null;
        for (var i = 0; i < plan.Partitions.Count; i++)
        {
            var planned = plan.Partitions[i];
            var read = reads[i];
            // A follower's fetch may just have moved the high watermark: it is told the new one.
            var highWatermark = read.Error == ErrorCode.None && !read.Follower && read.Diverging is null ? read.Result.HighWatermark : read.Partition?.HighWatermark ?? -1;
            var logStartOffset = read.Error == ErrorCode.None && read.Diverging is null ? read.Result.LogStartOffset : read.Partition?.LogStartOffset ?? -1;
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
            var data = new FetchResponse.PartitionData
            {
                PartitionIndex = planned.Key.Partition,
                ErrorCode = (short)read.Error,
                HighWatermark = highWatermark,
                LastStableOffset = highWatermark,
                LogStartOffset = logStartOffset,
                AbortedTransactions = version >= 4 ? [] : null,
                Records = read.Error == ErrorCode.None ? Materialize(version, read.Result.Region) : ReadOnlyMemory<byte>.Empty,
            };
            if (read.Diverging is { } diverging)
            {
                data.DivergingEpoch = diverging;
            }
            current.Partitions.Add(data);
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
