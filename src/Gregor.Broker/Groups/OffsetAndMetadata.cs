namespace Gregor.Broker.Groups;

/// <summary>
/// One committed offset as stored in OffsetCommitValue: the offset, the leader epoch the consumer
/// saw (-1: unknown), the client's metadata string ("" when it sent null), when it was committed
/// (wall-clock ms) and, for OffsetCommit v2-4 with a retention time, when it expires.
/// </summary>
public sealed record OffsetAndMetadata(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp, long? ExpireTimestamp = null);
