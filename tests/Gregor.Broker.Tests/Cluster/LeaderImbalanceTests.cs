using Gregor.Broker.Cluster;
using Gregor.Storage;

namespace Gregor.Broker.Tests.Cluster;

/// <summary>Which partitions the auto leader rebalance moves back to their preferred replica.</summary>
public sealed class LeaderImbalanceTests
{
    private static (TopicPartition, IReadOnlyList<int>, int?) P(int partition, int leader, params int[] replicas) =>
        (new TopicPartition("t", partition), replicas, leader);

    [Fact]
    public void A_broker_over_the_percentage_gets_back_the_partitions_it_prefers()
    {
        // Broker 1 prefers 0, 1, 2, 3 and leads only 0: 75 % led elsewhere. Broker 2 prefers 4 and leads it.
        var partitions = new[] { P(0, 1, 1, 2), P(1, 2, 1, 2), P(2, 2, 1, 2), P(3, 3, 1, 3), P(4, 2, 2, 1) };

        Assert.Equal([new TopicPartition("t", 1), new TopicPartition("t", 2), new TopicPartition("t", 3)],
            LeaderImbalance.Candidates(partitions, 10));
        Assert.Empty(LeaderImbalance.Candidates(partitions, 75));
    }

    [Fact]
    public void A_balanced_cluster_has_no_candidates()
    {
        Assert.Empty(LeaderImbalance.Candidates([P(0, 1, 1, 2, 3), P(1, 2, 2, 3, 1), P(2, 3, 3, 1, 2)], 0));
    }
}
