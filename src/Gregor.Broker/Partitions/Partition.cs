using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Partitions;

/// <summary>
/// A partition this broker holds, as leader or as follower, and the only surface request handlers,
/// coordinators and replica fetchers see of it: its leadership (leader, leader epoch, partition
/// epoch, assigned replicas, in-sync replicas), its offsets, appends and reads. The log stays inside: it guards its own state, including its idempotent producers'
/// state, which it checks and updates under its lock as it appends.
/// <para>
/// The leadership is one immutable <see cref="LeaderState"/> replaced whole, so a reader never
/// sees an epoch with another epoch's ISR. <see cref="_leaderLock"/> (Kafka's leaderIsrUpdateLock)
/// orders leadership changes, the followers' states, the pending ISR change and high watermark
/// moves as leader, and the leader's appends: an append as leader holds it while the batches go
/// into the log, so none lands after <see cref="MakeFollower"/> (appends to one partition are
/// serialised by the log's lock anyway, so this costs no concurrency). Reads and parked fetches
/// take no lock here.
/// </para>
/// </summary>
public sealed partial class Partition
{
    private readonly PartitionLog _log;
    private readonly Lock _leaderLock = new();
    private readonly PartitionSignal _dataArrived = new();
    private readonly PartitionSignal _highWatermarkMoved = new();
    private LeaderState _leadership;

    /// <summary>
    /// The leadership of a partition as the controller last stated it: the leader's broker id, the
    /// leader epoch, the partition epoch (the version of its state in the cluster store, which an
    /// ISR change proposed to the controller names), its assigned replicas and those in sync.
    /// </summary>
    public sealed record LeaderState(int Leader, int LeaderEpoch, int PartitionEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);

    public Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog log, int localBrokerId, LeaderState leadership)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        _log = log;
        LocalBrokerId = localBrokerId;
        _leadership = leadership;
        if (leadership.Leader == localBrokerId)
        {
            lock (_leaderLock)
            {
                ResetFollowersLocked(leadership, newLeader: true);
            }
        }
    }

    /// <summary>The id of the broker holding this replica.</summary>
    public int LocalBrokerId { get; }

    /// <summary>True while this broker leads the partition; false while it follows <see cref="LeaderId"/>.</summary>
    public bool IsLeader => Volatile.Read(ref _leadership).Leader == LocalBrokerId;

    /// <summary>The leader's broker id as last stated by the controller (-1: none).</summary>
    public int LeaderId => Volatile.Read(ref _leadership).Leader;

    /// <summary>The version of the partition's state in the cluster store.</summary>
    public int PartitionEpoch => Volatile.Read(ref _leadership).PartitionEpoch;

    public TopicPartition TopicPartition { get; }

    public Uuid TopicId { get; }

    public int LeaderEpoch => Volatile.Read(ref _leadership).LeaderEpoch;

    /// <summary>The brokers assigned to hold this partition, the preferred leader first.</summary>
    public IReadOnlyList<int> AssignedReplicas => Volatile.Read(ref _leadership).Replicas;

    /// <summary>The replicas in sync with the leader, the leader included.</summary>
    public IReadOnlyList<int> Isr => Volatile.Read(ref _leadership).Isr;

    public LeaderState Leadership => Volatile.Read(ref _leadership);

    /// <summary>
    /// The offset below which records are committed and readable by consumers: as leader, the
    /// smallest log end over the ISR (see <see cref="MaybeIncrementHighWatermark"/>; with
    /// replication factor 1 the log end after every append); as follower, the leader's as last
    /// fetched, within this replica's log end.
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
    /// they are. A new leader, or a new epoch, starts the followers' states afresh (see
    /// <see cref="FollowerState.Reset"/>) and the epoch's start offset at the log end; any ISR
    /// change in flight is dropped (the controller's state is the committed one now).
    /// </summary>
    public void MakeLeader(int leaderEpoch, int partitionEpoch, IReadOnlyList<int> replicas, IReadOnlyList<int> isr)
    {
        lock (_leaderLock)
        {
            var previous = _leadership;
            var leadership = new LeaderState(LocalBrokerId, leaderEpoch, partitionEpoch, replicas, isr);
            Volatile.Write(ref _leadership, leadership);
            _pendingIsr = null;
            var newLeader = previous.Leader != LocalBrokerId;
            if (newLeader || previous.LeaderEpoch != leaderEpoch)
            {
                ResetFollowersLocked(leadership, newLeader);
            }
            else
            {
                KeepFollowersLocked(leadership);
            }
            // The ISR may be down to this broker alone.
            MaybeIncrementHighWatermarkLocked();
        }
        _highWatermarkMoved.Signal();
    }

    /// <summary>
    /// This broker follows <paramref name="leader"/> from now on (-1: the partition has no leader
    /// for now). Returns true when the leader or the leader epoch changed, so the replica fetcher
    /// starts again from this replica's log end (it finds any divergence from the new leader
    /// through the last fetched epoch). The high watermark stays where it is until the leader says.
    /// Waiting fetches and acks=all produces wake and find the partition no longer led here.
    /// </summary>
    public bool MakeFollower(int leader, int leaderEpoch, int partitionEpoch, IReadOnlyList<int> replicas, IReadOnlyList<int> isr)
    {
        LeaderState previous;
        lock (_leaderLock)
        {
            previous = _leadership;
            Volatile.Write(ref _leadership, new LeaderState(leader, leaderEpoch, partitionEpoch, replicas, isr));
            _followers = [];
            _pendingIsr = null;
        }
        SignalDataArrived();
        return previous.Leader != leader || previous.LeaderEpoch != leaderEpoch;
    }

    /// <summary>The leader epoch of the last batch in the log (-1 for an empty log that never had one): a follower's last fetched epoch.</summary>
    public int LatestEpoch => _log.LatestEpoch;

    /// <summary>
    /// OffsetForLeaderEpoch: the largest epoch at or below <paramref name="epoch"/> this log holds
    /// and the offset where the epoch after it starts (the log end for the latest); (-1, -1) when
    /// the log holds no such epoch.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int epoch) => _log.EndOffsetForEpoch(epoch);

    /// <summary>A follower diverging from its leader drops every batch at or after <paramref name="offset"/> (see <see cref="PartitionLog.TruncateTo"/>).</summary>
    public void TruncateTo(long offset) => _log.TruncateTo(offset);

    /// <summary>A follower whose fetch offset fell below the leader's log start restarts its log empty at <paramref name="offset"/>.</summary>
    public void TruncateFullyAndStartAt(long offset) => _log.TruncateFullyAndStartAt(offset);

    /// <summary>A follower takes the leader's high watermark, never beyond its own log end.</summary>
    public void UpdateFollowerHighWatermark(long leaderHighWatermark) =>
        _log.UpdateHighWatermark(Math.Min(leaderHighWatermark, _log.LogEndOffset));

    /// <summary>A follower's log start follows the leader's upwards (retention and DeleteRecords on the leader), up to its own high watermark.</summary>
    public void UpdateFollowerLogStartOffset(long leaderLogStartOffset)
    {
        if (leaderLogStartOffset > _log.LogStartOffset && leaderLogStartOffset <= _log.HighWatermark)
        {
            _log.DeleteRecordsBefore(leaderLogStartOffset);
        }
    }

    /// <summary>
    /// Appends a record set. A client's and a coordinator's go through
    /// <see cref="PartitionAppender"/> (validation, idempotence, offsets assigned as leader; while
    /// this broker does not lead the partition, NOT_LEADER_OR_FOLLOWER); a replica's batches keep
    /// the offsets, epochs and producer state the leader gave them.
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
    /// Completes at the next append after this call (a follower's fetch parks on it: it reads to the
    /// log end), and at leadership changes and when the partition stops being held here. A waiter
    /// takes this task first and checks for data after, so an append between the two is never missed.
    /// </summary>
    public Task DataArrived => _dataArrived.Task;

    /// <summary>
    /// Completes at the next move of the high watermark after this call (consumers' fetches and
    /// acks=all produces park on it), and whenever <see cref="DataArrived"/> is signalled for a
    /// change other than an append.
    /// </summary>
    public Task HighWatermarkMoved => _highWatermarkMoved.Task;

    /// <summary>Wakes every fetch and produce parked on this partition; allocates only when one is parked.</summary>
    public void SignalDataArrived()
    {
        _dataArrived.Signal();
        _highWatermarkMoved.Signal();
    }
}
