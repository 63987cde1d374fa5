using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;

namespace Gregor.Broker.Replication;

/// <summary>What a follower does with one partition's answer to its fetch.</summary>
public enum FollowerFetchAction
{
    /// <summary>Append the records (if any), then take the leader's high watermark and log start.</summary>
    Append,

    /// <summary>Truncate the log to <see cref="FollowerFetchStep.Offset"/> and fetch again at once.</summary>
    Truncate,

    /// <summary>Empty the log and restart it at <see cref="FollowerFetchStep.Offset"/> (the leader's log start), then fetch again.</summary>
    TruncateFully,

    /// <summary>Leave the partition alone for replica.fetch.backoff.ms (the controller's LeaderAndIsr is awaited, or the error may pass).</summary>
    Backoff,
}

/// <summary>One decision of <see cref="FollowerFetchRules"/>: the action and, for truncations, the offset.</summary>
public readonly record struct FollowerFetchStep(FollowerFetchAction Action, long Offset = -1)
{
    public static readonly FollowerFetchStep Append = new(FollowerFetchAction.Append);
    public static readonly FollowerFetchStep Backoff = new(FollowerFetchAction.Backoff);
}

/// <summary>
/// The follower's side of a fetch answer, as Kafka's replica fetcher decides it, kept free of I/O
/// so that it can be tested alone. The fetch offset is always the follower's log end offset.
/// </summary>
public static class FollowerFetchRules
{
    /// <summary>
    /// Decides what one partition's answer means. <paramref name="divergingEpoch"/> and
    /// <paramref name="divergingEndOffset"/> are the answer's DivergingEpoch (both -1 when the
    /// leader sent none); <paramref name="localEndOffsetForEpoch"/> is the follower's own
    /// OffsetForLeaderEpoch.
    /// </summary>
    public static FollowerFetchStep Decide(ErrorCode error, long logEndOffset, long logStartOffset, long leaderHighWatermark, long leaderLogStartOffset,
        int divergingEpoch, long divergingEndOffset, Func<int, (int Epoch, long EndOffset)> localEndOffsetForEpoch)
    {
        switch (error)
        {
            case ErrorCode.None when divergingEpoch >= 0 && divergingEndOffset >= 0:
                return new FollowerFetchStep(FollowerFetchAction.Truncate,
                    TruncationOffset(divergingEpoch, divergingEndOffset, localEndOffsetForEpoch(divergingEpoch), logEndOffset, logStartOffset));
            case ErrorCode.None:
                return FollowerFetchStep.Append;
            case ErrorCode.OffsetOutOfRange:
                return OnOffsetOutOfRange(logEndOffset, leaderHighWatermark, leaderLogStartOffset);
            default:
                return FollowerFetchStep.Backoff;
        }
    }

    /// <summary>
    /// Where a follower whose log diverges from the leader's truncates: the leader says its
    /// <paramref name="leaderEpoch"/> (the largest at or below the follower's last fetched epoch)
    /// ends at <paramref name="leaderEndOffset"/>. When the follower holds that epoch too, the
    /// logs agree up to the smaller of the two ends of it. When it does not, the follower goes back
    /// to the end of its own largest epoch below (an intermediate point: the next fetch names that
    /// epoch and the leader checks again), or to its log start when it holds no epoch that old.
    /// Never above the log end.
    /// </summary>
    public static long TruncationOffset(int leaderEpoch, long leaderEndOffset, (int Epoch, long EndOffset) local, long logEndOffset, long logStartOffset)
    {
        if (local.Epoch < 0 || local.EndOffset < 0)
        {
            return Math.Min(logStartOffset, logEndOffset);
        }
        var offset = local.Epoch == leaderEpoch ? Math.Min(local.EndOffset, leaderEndOffset) : local.EndOffset;
        return Math.Min(offset, logEndOffset);
    }

    /// <summary>
    /// OFFSET_OUT_OF_RANGE: below the leader's log start the follower restarts empty there; above
    /// the leader's log end it truncates to the leader's high watermark (never above the leader's
    /// log end, so the next fetch is in range); with neither known it backs off.
    /// </summary>
    public static FollowerFetchStep OnOffsetOutOfRange(long logEndOffset, long leaderHighWatermark, long leaderLogStartOffset)
    {
        if (leaderLogStartOffset >= 0 && logEndOffset < leaderLogStartOffset)
        {
            return new FollowerFetchStep(FollowerFetchAction.TruncateFully, leaderLogStartOffset);
        }
        if (leaderHighWatermark >= 0 && logEndOffset > leaderHighWatermark)
        {
            return new FollowerFetchStep(FollowerFetchAction.Truncate, leaderHighWatermark);
        }
        return FollowerFetchStep.Backoff;
    }

    /// <summary>
    /// The part of a fetched record set a follower appends at <paramref name="logEndOffset"/>:
    /// whole v2 batches only (a trailing partial batch is left for the next fetch), without those
    /// that end below the log end. When the first batch kept starts below the log end (the
    /// follower's batches end inside one of the leader's), nothing is appended and
    /// <c>AlignTo</c> is that batch's base offset: the follower truncates there and fetches again.
    /// </summary>
    public static (ReadOnlyMemory<byte> Batches, long AlignTo) Appendable(ReadOnlyMemory<byte> records, long logEndOffset)
    {
        var span = records.Span;
        int start = -1, position = 0, end = 0;
        while (span.Length - position >= RecordBatch.HeaderSize)
        {
            var size = RecordBatch.SizeInBytes(span[position..]);
            if (size < RecordBatch.HeaderSize || size > span.Length - position)
            {
                break;
            }
            if (start < 0)
            {
                var batch = span.Slice(position, size);
                if (RecordBatch.LastOffset(batch) < logEndOffset)
                {
                    position += size;
                    continue;
                }
                if (RecordBatch.BaseOffset(batch) < logEndOffset)
                {
                    return (ReadOnlyMemory<byte>.Empty, RecordBatch.BaseOffset(batch));
                }
                start = position;
            }
            position += size;
            end = position;
        }
        return start >= 0 ? (records[start..end], -1) : (ReadOnlyMemory<byte>.Empty, -1);
    }
}
