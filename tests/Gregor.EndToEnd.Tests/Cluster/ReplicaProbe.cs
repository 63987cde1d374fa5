using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// What the replication tests look at: a replica's size as its broker reports it
/// (DescribeLogDirs), waiting until followers hold as many bytes as the leader, and a stopped
/// broker's record bytes of one partition as they lie in its segment files.
/// </summary>
internal static class ReplicaProbe
{
    /// <summary>Creates a topic through ZooKeeper with one partition on <paramref name="replicas"/>, the first its preferred leader.</summary>
    public static Task CreateReplicatedTopicAsync(KafkaCluster cluster, string topic, params int[] replicas) =>
        Tools.ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", topic,
            "--replica-assignment", string.Join(":", replicas)]);

    /// <summary>The bytes of partition 0 of <paramref name="topic"/> the broker holds, or null when it holds no replica.</summary>
    public static async Task<long?> ReplicaSizeAsync(BrokerProcess broker, string topic)
    {
        var response = await AdminClients.RoundTripAsync<DescribeLogDirsRequest, DescribeLogDirsResponse>(broker.Port,
            new DescribeLogDirsRequest { Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = topic, Partitions = [0] }] }, 4);
        var sizes = response.Results.SelectMany(r => r.Topics).Where(t => t.Name == topic).SelectMany(t => t.Partitions).Select(p => p.PartitionSize).ToList();
        return sizes.Count == 0 ? null : sizes.Sum();
    }

    /// <summary>Waits until every broker in <paramref name="followers"/> holds as many bytes of the partition as <paramref name="leader"/>.</summary>
    public static async Task WaitInSyncAsync(KafkaCluster cluster, string topic, int leader, params int[] followers)
    {
        var expected = await ReplicaSizeAsync(cluster.Brokers[leader], topic);
        Assert.True(expected > 0, $"broker {leader} holds {expected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} bytes of {topic}");
        var seen = new Dictionary<int, long?>();
        await ClusterProbe.WaitUntilAsync(async () =>
            {
                foreach (var id in followers)
                {
                    seen[id] = await ReplicaSizeAsync(cluster.Brokers[id], topic);
                }
                return seen.Values.All(v => v == expected);
            },
            () => Task.FromResult($"{topic}: leader {leader} holds {expected} bytes, followers " + string.Join(", ", seen.Select(s => $"{s.Key}: {s.Value}"))));
    }

    /// <summary>The partition directories of <paramref name="topic"/> in a log dir.</summary>
    public static string[] PartitionDirectories(string logDir, string topic) => Directory.GetDirectories(logDir, $"{topic}-*");

    /// <summary>Partition 0's segment files, oldest first, as one byte string (read once the broker has stopped).</summary>
    public static byte[] LogBytes(string logDir, string topic) =>
        [.. Directory.GetFiles(Path.Combine(logDir, $"{topic}-0"), "*.log").Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes)];
}
