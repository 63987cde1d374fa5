namespace Gregor.Broker.Partitions;

/// <summary>
/// How far a read may go: consumers read what is committed (up to the high watermark); a
/// follower replicating the partition reads up to the log end.
/// </summary>
public enum ReadLimit
{
    HighWatermark,
    LogEnd,
}
