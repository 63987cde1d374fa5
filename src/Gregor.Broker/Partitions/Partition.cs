using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// A partition this broker holds, and the only surface request handlers and coordinators see of
/// it: its leadership (leader epoch, assigned replicas, in-sync replicas), its offsets, appends
/// and reads. The log stays inside: it guards its own state, including its idempotent producers'
/// state, which it checks and updates under its lock as it appends.
/// The leadership is one immutable <see cref="LeaderState"/> replaced whole by
/// <see cref="MakeLeader"/>, so a reader never sees an epoch with another epoch's ISR.
/// <see cref="_dataArrived"/> is swapped atomically, so plain appends and parked fetches take no
/// lock here.
/// </summary>
public sealed class Partition
{
    private readonly PartitionLog _log;
    private LeaderState _leadership;
    private TaskCompletionSource _dataArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _observed;

    /// <summary>The leadership of a partition: its epoch, its assigned replicas and those in sync.</summary>
    public sealed record LeaderState(int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);

    public Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, LeaderState leadership)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        _log = log;
        _leadership = leadership;
    }

    public TopicPartition TopicPartition { get; }

    public Uuid TopicId { get; }

    public int LeaderEpoch => Volatile.Read(ref _leadership).LeaderEpoch;

    /// <summary>The brokers assigned to hold this partition, the preferred leader first.</summary>
    public IReadOnlyList<int> AssignedReplicas => Volatile.Read(ref _leadership).Replicas;

    /// <summary>The replicas in sync with the leader, the leader included.</summary>
    public IReadOnlyList<int> Isr => Volatile.Read(ref _leadership).Isr;

    public LeaderState Leadership => Volatile.Read(ref _leadership);

    /// <summary>
    /// The offset below which records are committed and readable by consumers. While this broker
    /// is the only replica (replication factor 1) it is the log end after every append; with
    /// followers it will be the smallest log end over the ISR.
    /// </summary>
    public long HighWatermark => _log.HighWatermark;

    public long LogStartOffset => _log.LogStartOffset;

    public long LogEndOffset => _log.LogEndOffset;

    /// <summary>True once the partition's log dir failed an I/O operation: it serves nothing until a restart.</summary>
    public bool IsOffline => _log.IsOffline;

    /// <summary>The log dir holding the partition (named in storage errors).</summary>
    public string LogDir => _log.LogDir;

    /// <summary>The topic's storage config in force (changes apply live).</summary>
    public LogConfig Config => _log.Config;

    /// <summary>
    /// This broker leads the partition from now on, in <paramref name="leaderEpoch"/> with the given
    /// replicas and ISR; the batches it appends carry that epoch. Offsets appended so far stay as
    /// they are.
    /// </summary>
    public void MakeLeader(int leaderEpoch, IReadOnlyList<int> replicas, IReadOnlyList<int> isr)
    {
        Volatile.Write(ref _leadership, new LeaderState(leaderEpoch, replicas, isr));
        MaybeIncrementHighWatermark();
    }

    /// <summary>
    /// Appends a record set. A client's and a coordinator's go through
    /// <see cref="PartitionAppender"/> (validation, idempotence, offsets assigned as leader); a
    /// replica's batches keep the offsets and epochs the leader gave them.
    /// </summary>
    public ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<byte> records, AppendOrigin origin) =>
        origin == AppendOrigin.Replication
            ? PartitionAppender.AppendAsFollowerAsync(this, _log, records)
            : PartitionAppender.AppendAsync(this, _log, records);

    /// <summary>
    /// Reads from the batch holding <paramref name="offset"/>, at most <paramref name="maxBytes"/>
    /// (unless <paramref name="minOneBatch"/> and the first batch is larger), never past
    /// <paramref name="limit"/>. Throws <see cref="OffsetOutOfRangeException"/> and
    /// <see cref="KafkaStorageException"/> as the log does.
    /// </summary>
    public LogReadResult Read(long offset, int maxBytes, bool minOneBatch, ReadLimit limit) =>
        _log.Read(offset, maxBytes, limit == ReadLimit.HighWatermark ? _log.HighWatermark : long.MaxValue, minOneBatch);

    /// <summary>The first offset whose timestamp is at or after <paramref name="timestamp"/> (ListOffsets), or null.</summary>
    public (long Offset, long Timestamp)? FetchOffsetForTimestamp(long timestamp) => _log.FetchOffsetForTimestamp(timestamp);

    /// <summary>Moves the log start offset up to <paramref name="offset"/> (DeleteRecords); returns the new log start offset.</summary>
    public long DeleteRecordsBefore(long offset) => _log.DeleteRecordsBefore(offset);

    /// <summary>Visits every stored batch from <paramref name="fromOffset"/> to the log end (coordinators loading their state).</summary>
    public int ScanBatches(long fromOffset, BatchVisitor visit) => LogScanner.ScanBatches(_log, fromOffset, visit);

    /// <summary>
    /// The high watermark follows the log end: with replication factor 1 this broker is the whole
    /// ISR, so everything in its log is committed (after an unclean stop the checkpointed high
    /// watermark may lag the recovered log end). With followers this becomes the minimum log end
    /// over the ISR.
    /// </summary>
    internal void MaybeIncrementHighWatermark() => _log.UpdateHighWatermark(_log.LogEndOffset);

    /// <summary>
    /// Completes at the next append after this call. A waiter takes this task first and checks
    /// for data after, so an append between the two is never missed.
    /// </summary>
    public Task DataArrived
    {
        get
        {
            Volatile.Write(ref _observed, 1);
            return Volatile.Read(ref _dataArrived).Task;
        }
    }

    /// <summary>Wakes every fetch parked on this partition; allocates only when one is parked.</summary>
    public void SignalDataArrived()
    {
        if (Interlocked.Exchange(ref _observed, 0) == 0)
        {
            return;
        }
        var previous = Interlocked.Exchange(ref _dataArrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
