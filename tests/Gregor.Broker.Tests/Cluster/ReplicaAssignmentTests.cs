using Gregor.Broker.Cluster;
using Gregor.Protocol.Errors;

namespace Gregor.Broker.Tests.Cluster;

/// <summary>Kafka's assignReplicasToBrokers: the layouts its documentation gives, and its rules.</summary>
public sealed class ReplicaAssignmentTests
{
    private static BrokerRack[] Brokers(params int[] ids) => ids.Select(id => new BrokerRack(id, null)).ToArray();

    private static IReadOnlyDictionary<int, IReadOnlyList<int>> Assigned(ReplicaAssignmentResult result)
    {
        Assert.Equal(ErrorCode.None, result.Error);
        return result.Assignment!;
    }

    [Fact]
    public void Rack_unaware_layout_is_the_one_in_kafkas_documentation()
    {
        // AdminUtils' table for 5 brokers, 10 partitions, 3 replicas: first replicas round-robin, followers
        // shifted by one more after the first round (p5's second replica is broker 2, not 1).
        var assignment = Assigned(ReplicaAssignment.Assign(Brokers(4, 2, 0, 3, 1), 10, 3, new Random(1), fixedStartIndex: 0));

        int[][] expected =
        [
            [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
            [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
        ];
        Assert.Equal(10, assignment.Count);
        for (var p = 0; p < expected.Length; p++)
        {
            Assert.Equal(expected[p], assignment[p]);
        }
    }

    [Fact]
    public void Rack_aware_layout_is_the_one_in_kafkas_documentation()
    {
        BrokerRack[] brokers =
        [
            new(0, "rack1"), new(1, "rack3"), new(2, "rack3"), new(3, "rack2"), new(4, "rack2"), new(5, "rack1"),
        ];

        Assert.Equal([0, 3, 1, 5, 4, 2], ReplicaAssignment.RackAlternatedBrokers(brokers));
        var assignment = Assigned(ReplicaAssignment.Assign(brokers, 7, 3, new Random(1), fixedStartIndex: 0));
        int[][] expected = [[0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3], [0, 4, 2]];
        for (var p = 0; p < expected.Length; p++)
        {
            Assert.Equal(expected[p], assignment[p]);
        }
    }

    [Fact]
    public void Added_partitions_are_numbered_from_the_start_id_and_continue_the_first_replica_round_robin()
    {
        // CreatePartitions passes the existing count; the first replica continues round-robin from the start
        // index, while the follower shift starts afresh: Kafka bumps it only when the walk crosses a multiple of
        // the broker count, so partition 6 of a fresh walk keeps shift 2.
        var added = Assigned(ReplicaAssignment.Assign(Brokers(0, 1, 2, 3, 4), 4, 3, new Random(1), startPartitionId: 6, fixedStartIndex: 2));

        Assert.Equal([6, 7, 8, 9], added.Keys.Order());
        Assert.Equal([3, 1, 2], added[6]);
        Assert.Equal([4, 2, 3], added[7]);
        Assert.Equal([0, 3, 4], added[8]);
        Assert.Equal([1, 4, 0], added[9]);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Random_start_spreads_leaders_evenly_with_distinct_replicas(int seed)
    {
        var assignment = Assigned(ReplicaAssignment.Assign(Brokers(1, 2, 3, 4), 40, 3, new Random(seed)));

        Assert.All(assignment.Values, replicas => Assert.Equal(3, replicas.Distinct().Count()));
        Assert.All(assignment.Values.GroupBy(r => r[0]), leaders => Assert.Equal(10, leaders.Count()));
        Assert.All(assignment.Values.SelectMany(r => r).GroupBy(b => b), replicas => Assert.Equal(30, replicas.Count()));
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Rack_aware_puts_each_replica_on_another_rack_while_racks_remain(int seed)
    {
        BrokerRack[] brokers = [new(1, "a"), new(2, "a"), new(3, "b"), new(4, "b"), new(5, "c"), new(6, "c")];
        var rackOf = brokers.ToDictionary(b => b.BrokerId, b => b.Rack);

        var three = Assigned(ReplicaAssignment.Assign(brokers, 30, 3, new Random(seed)));
        var four = Assigned(ReplicaAssignment.Assign(brokers, 30, 4, new Random(seed)));

        Assert.All(three.Values, r => Assert.Equal(3, r.Select(b => rackOf[b]).Distinct().Count()));
        Assert.All(four.Values, r => Assert.Equal(4, r.Distinct().Count()));
        Assert.All(four.Values, r => Assert.Equal(3, r.Select(b => rackOf[b]).Distinct().Count()));
    }

    [Fact]
    public void More_replicas_than_live_brokers_is_invalid_replication_factor()
    {
        var result = ReplicaAssignment.Assign(Brokers(1, 2), 3, 3, new Random(1));

        Assert.Equal(ErrorCode.InvalidReplicationFactor, result.Error);
        Assert.Equal("Replication factor: 3 larger than available brokers: 2.", result.ErrorMessage);
        Assert.Null(result.Assignment);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, ReplicaAssignment.Assign(Brokers(1, 2), 3, 0, new Random(1)).Error);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, ReplicaAssignment.Assign([], 1, 1, new Random(1)).Error);
    }

    [Fact]
    public void No_partitions_and_partial_rack_information_are_refused()
    {
        Assert.Equal(ErrorCode.InvalidPartitions, ReplicaAssignment.Assign(Brokers(1, 2), 0, 1, new Random(1)).Error);

        var mixed = ReplicaAssignment.Assign([new BrokerRack(1, "a"), new BrokerRack(2, null)], 1, 1, new Random(1));
        Assert.Equal(ErrorCode.UnknownServerError, mixed.Error);
        Assert.Contains("Not all brokers have rack information", mixed.ErrorMessage);
    }

    [Fact]
    public void A_single_broker_gets_every_partition()
    {
        var assignment = Assigned(ReplicaAssignment.Assign(Brokers(7), 3, 1, new Random(1)));

        Assert.All(assignment.Values, r => Assert.Equal([7], r));
    }
}
