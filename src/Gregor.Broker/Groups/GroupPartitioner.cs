namespace Gregor.Broker.Groups;

/// <summary>
/// Which __consumer_offsets partition holds a group, computed exactly as Kafka does so that a
/// group lands in the same partition on both: Utils.abs(groupId.hashCode()) % partitions, where
/// hashCode is Java's String.hashCode (h = 31·h + c over the UTF-16 code units, in 32-bit
/// wrapping arithmetic) and Utils.abs is x &amp; 0x7fffffff (not Math.abs, which leaves
/// Integer.MIN_VALUE negative).
/// </summary>
public static class GroupPartitioner
{
    public static int JavaStringHashCode(string value)
    {
        var hash = 0;
        foreach (var c in value)
        {
            hash = unchecked((31 * hash) + c);
        }
        return hash;
    }

    public static int PartitionFor(string groupId, int numPartitions) =>
        (JavaStringHashCode(groupId) & 0x7fffffff) % numPartitions;
}
