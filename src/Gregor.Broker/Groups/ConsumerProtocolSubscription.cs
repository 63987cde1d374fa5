using System.Buffers.Binary;
using System.Text;

namespace Gregor.Broker.Groups;

/// <summary>
/// Reads the topic list of the consumer protocol's subscription (the JoinGroup metadata of
/// protocol type "consumer"): int16 version, then an int32 count of int16-length strings (every
/// version 0-3 starts this way; owned partitions and rack follow and are not needed). The
/// coordinator needs only the topics: offsets of subscribed topics are not expired, and
/// OffsetDelete refuses them with GROUP_SUBSCRIBED_TO_TOPIC.
/// </summary>
public static class ConsumerProtocolSubscription
{
    public const string ProtocolType = "consumer";

    public static bool TryReadTopics(ReadOnlySpan<byte> metadata, ISet<string> topics)
    {
        if (metadata.Length < 6)
        {
            return false;
        }
        var version = BinaryPrimitives.ReadInt16BigEndian(metadata);
        if (version < 0)
        {
            return false;
        }
        var count = BinaryPrimitives.ReadInt32BigEndian(metadata[2..]);
        var position = 6;
        if (count < 0 || count > metadata.Length)
        {
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            if (position + 2 > metadata.Length)
            {
                return false;
            }
            var length = BinaryPrimitives.ReadInt16BigEndian(metadata[position..]);
            position += 2;
            if (length < 0 || position + length > metadata.Length)
            {
                return false;
            }
            topics.Add(Encoding.UTF8.GetString(metadata.Slice(position, length)));
            position += length;
        }
        return true;
    }
}
