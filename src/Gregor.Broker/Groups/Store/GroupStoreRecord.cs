namespace Gregor.Broker.Groups.Store;

/// <summary>
/// One record of __consumer_offsets exactly as it goes into a record batch: the serialized key
/// (<see cref="Records.OffsetCommitKey"/> or <see cref="Records.GroupMetadataKey"/>, version
/// prefix included) and the serialized value, or null for a tombstone (the topic is compacted:
/// the latest record per key wins, and a tombstone removes the key). <see cref="Offset"/> is the
/// record's position in its partition when read back (-1 in records to append), for log lines.
/// </summary>
public sealed record GroupStoreRecord(byte[] Key, byte[]? Value, long Offset = -1);
