using Gregor.Protocol.Wire;

namespace Gregor.Broker.Groups.Records;

/// <summary>
/// Tells the two kinds of __consumer_offsets keys apart by their int16 version prefix:
/// 0 and 1 are <see cref="OffsetCommitKey"/>, 2 is <see cref="GroupMetadataKey"/>. Other
/// versions (the newer coordinator's record types) are returned as null so a loader can skip them.
/// </summary>
public static class GroupRecordKey
{
    /// <summary>Returns an <see cref="OffsetCommitKey"/>, a <see cref="GroupMetadataKey"/>, or null
    /// for a key type this coordinator does not use. Throws <see cref="ProtocolException"/> on a truncated key.</summary>
    public static object? Deserialize(ReadOnlyMemory<byte> key)
    {
        var reader = new KafkaReader(key);
        var version = reader.ReadInt16();
        return version switch
        {
            0 or 1 => OffsetCommitKey.ReadBody(ref reader),
            2 => GroupMetadataKey.ReadBody(ref reader),
            _ => null,
        };
    }
}
