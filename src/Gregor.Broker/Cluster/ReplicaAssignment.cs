using Gregor.Protocol.Errors;

namespace Gregor.Broker.Cluster;

/// <summary>A live broker as replica assignment sees it: its id and <c>broker.rack</c> (null when unset).</summary>
public sealed record BrokerRack(int BrokerId, string? Rack);

/// <summary>Replicas per partition id in preference order (the first is the preferred leader), or why there are none.</summary>
public sealed record ReplicaAssignmentResult(IReadOnlyDictionary<int, IReadOnlyList<int>>? Assignment, ErrorCode Error, string? ErrorMessage)
{
    public static ReplicaAssignmentResult Failed(ErrorCode error, string message) => new(null, error, message);
}

/// <summary>
/// Kafka's replica assignment (AdminUtils.assignReplicasToBrokers). Without racks: the first replica of each
/// partition goes round-robin over the brokers sorted by id from a start index, and the others follow at a shift
/// that grows by one after every full round, so a broker's followers spread over the other brokers. With racks on
/// every broker: the same walk over a rack-alternated broker list, skipping brokers whose rack (or who themselves)
/// already hold a replica while some rack (broker) holds none. Kafka picks the start index and the shift at random;
/// a fixed start index (used for both, as Kafka's tests do) makes the layout reproducible.
/// </summary>
public static class ReplicaAssignment
{
    /// <param name="startPartitionId">First partition id to assign (CreatePartitions continues after the existing ones).</param>
    /// <param name="fixedStartIndex">Start index and initial shift; negative picks both at random.</param>
    public static ReplicaAssignmentResult Assign(
        IReadOnlyCollection<BrokerRack> brokers,
        int partitions,
        int replicationFactor,
        Random random,
        int startPartitionId = 0,
        int fixedStartIndex = -1)
    {
        if (partitions <= 0)
        {
            return ReplicaAssignmentResult.Failed(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0.");
        }
        if (replicationFactor <= 0)
        {
            return ReplicaAssignmentResult.Failed(ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0.");
        }
        if (replicationFactor > brokers.Count)
        {
            return ReplicaAssignmentResult.Failed(ErrorCode.InvalidReplicationFactor,
                $"Replication factor: {replicationFactor} larger than available brokers: {brokers.Count}.");
        }
        var sorted = brokers.OrderBy(b => b.BrokerId).ToList();
        if (sorted.All(b => b.Rack is null))
        {
            // One rack holding every broker: the walk never skips, which is Kafka's rack-unaware assignment.
            var oneRack = sorted.ConvertAll(b => b with { Rack = "" });
            return new(RackAware(partitions, replicationFactor, oneRack, random, startPartitionId, fixedStartIndex), ErrorCode.None, null);
        }
        if (sorted.Any(b => b.Rack is null))
        {
            // Kafka's RackAwareMode.Enforced refuses a mix; the error is not an API error there either.
            return ReplicaAssignmentResult.Failed(ErrorCode.UnknownServerError,
                "Not all brokers have rack information for replica rack aware assignment.");
        }
        return new(RackAware(partitions, replicationFactor, sorted, random, startPartitionId, fixedStartIndex), ErrorCode.None, null);
    }

    /// <summary>Brokers taken one per rack in turn, racks in name order and brokers by id within a rack.</summary>
    public static IReadOnlyList<int> RackAlternatedBrokers(IReadOnlyCollection<BrokerRack> brokers)
    {
        var byRack = brokers
            .GroupBy(b => b.Rack!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<int>(g.Select(b => b.BrokerId).Order()))
            .ToList();
        var result = new List<int>(brokers.Count);
        for (var rack = 0; result.Count < brokers.Count; rack = (rack + 1) % byRack.Count)
        {
            if (byRack[rack].TryDequeue(out var broker))
            {
                result.Add(broker);
            }
        }
        return result;
    }

    private static Dictionary<int, IReadOnlyList<int>> RackAware(
        int partitions, int replicationFactor, List<BrokerRack> brokers, Random random, int startPartitionId, int fixedStartIndex)
    {
        var rackOf = brokers.ToDictionary(b => b.BrokerId, b => b.Rack!);
        var rackCount = rackOf.Values.Distinct(StringComparer.Ordinal).Count();
        var arranged = RackAlternatedBrokers(brokers);
        var n = arranged.Count;
        var startIndex = fixedStartIndex >= 0 ? fixedStartIndex : random.Next(n);
        var shift = fixedStartIndex >= 0 ? fixedStartIndex : random.Next(n);
        var partition = Math.Max(0, startPartitionId);
        var result = new Dictionary<int, IReadOnlyList<int>>(partitions);
        for (var i = 0; i < partitions; i++, partition++)
        {
            if (partition > 0 && partition % n == 0)
            {
                shift++;
            }
            var first = (partition + startIndex) % n;
            var leader = arranged[first];
            var replicas = new List<int>(replicationFactor) { leader };
            var racksWithReplicas = new HashSet<string>(StringComparer.Ordinal) { rackOf[leader] };
            var brokersWithReplicas = new HashSet<int> { leader };
            var k = 0;
            for (var j = 0; j < replicationFactor - 1; j++)
            {
                while (true)
                {
                    var broker = arranged[ReplicaIndex(first, shift * rackCount, k++, n)];
                    var rack = rackOf[broker];
                    if ((!racksWithReplicas.Contains(rack) || racksWithReplicas.Count == rackCount)
                        && (!brokersWithReplicas.Contains(broker) || brokersWithReplicas.Count == n))
                    {
                        replicas.Add(broker);
                        racksWithReplicas.Add(rack);
                        brokersWithReplicas.Add(broker);
                        break;
                    }
                }
            }
            result[partition] = replicas;
        }
        return result;
    }

    // The (replicaIndex+1)-th follower sits 1 + (shift + replicaIndex) mod (n - 1) places after the first
    // replica: never on the first replica itself. Computed in long as Kafka does (shift * racks can be large).
    private static int ReplicaIndex(int firstReplicaIndex, long secondReplicaShift, int replicaIndex, int brokerCount)
    {
        var shift = 1 + ((secondReplicaShift + replicaIndex) % (brokerCount - 1));
        return (int)((firstReplicaIndex + shift) % brokerCount);
    }
}
