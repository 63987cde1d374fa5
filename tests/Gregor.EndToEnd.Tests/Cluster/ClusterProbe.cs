using System.Text;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.ZooKeeper;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// What the cluster tests look at and do, waiting for events with generous deadlines: znodes
/// (/controller, /controller_epoch, partition states), Metadata as a broker reports it, and
/// records produced to and read back from one partition with Confluent.Kafka.
/// </summary>
internal static class ClusterProbe
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    /// <summary>Waits until <paramref name="condition"/> holds; <paramref name="describe"/> says what was seen when it never does.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<Task<string>> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Generous);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(await describe());
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The broker id /controller names, or null when there is no controller.</summary>
    public static async Task<int?> ControllerIdAsync(ZooKeeperClient zk)
    {
        try
        {
            var (data, _) = await zk.GetDataAsync("/controller");
            using var json = System.Text.Json.JsonDocument.Parse(data);
            return json.RootElement.GetProperty("brokerid").GetInt32();
        }
        catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
        {
            return null;
        }
    }

    public static async Task<int> ControllerEpochAsync(ZooKeeperClient zk) =>
        int.Parse(Encoding.ASCII.GetString((await zk.GetDataAsync("/controller_epoch")).Data), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits until /controller names a broker other than <paramref name="not"/>; returns it.</summary>
    public static async Task<int> WaitForControllerAsync(ZooKeeperClient zk, int? not = null)
    {
        int? found = null;
        await WaitUntilAsync(async () => (found = await ControllerIdAsync(zk)) is { } id && id != not,
            () => Task.FromResult($"/controller names {found?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nobody"}"));
        return found!.Value;
    }

    /// <summary>The controller id a broker's Metadata reports.</summary>
    public static async Task<int> MetadataControllerAsync(int port) =>
        (await AdminClients.RoundTripAsync<Gregor.Protocol.Messages.MetadataRequest, Gregor.Protocol.Messages.MetadataResponse>(
            port, new Gregor.Protocol.Messages.MetadataRequest { Topics = [] }, 12)).ControllerId;

    /// <summary>
    /// Waits until the broker on <paramref name="port"/> names <paramref name="controller"/> in
    /// Metadata. Admin clients send CreateTopics to the controller the broker names, and wait for
    /// a named broker that is gone without asking again.
    /// </summary>
    public static Task WaitForNamedControllerAsync(int port, int controller) =>
        WaitUntilAsync(async () => await MetadataControllerAsync(port) == controller,
            () => Task.FromResult($"the broker on port {port} does not name {controller} as controller"));

    /// <summary>Waits until /brokers/ids/<paramref name="id"/> exists (or, with <paramref name="present"/> false, is gone).</summary>
    public static Task WaitForBrokerNodeAsync(ZooKeeperClient zk, int id, bool present) =>
        WaitUntilAsync(async () => await zk.ExistsAsync($"/brokers/ids/{id}") is not null == present,
            () => Task.FromResult($"/brokers/ids/{id} {(present ? "never appeared" : "never went away")}"));

    /// <summary>Each partition state znode of <paramref name="topic"/>: its data and zk version.</summary>
    public static async Task<List<(int Partition, string Data, int Version)>> PartitionStatesAsync(ZooKeeperClient zk, string topic, int partitions)
    {
        var states = new List<(int, string, int)>();
        for (var p = 0; p < partitions; p++)
        {
            var (data, stat) = await zk.GetDataAsync($"/brokers/topics/{topic}/partitions/{p}/state");
            states.Add((p, Encoding.UTF8.GetString(data), stat.Version));
        }
        return states;
    }

    /// <summary>Creates a topic through ZooKeeper with partition i on broker <paramref name="leaders"/>[i].</summary>
    public static Task CreateTopicAsync(KafkaCluster cluster, string topic, params int[] leaders) =>
        Tools.ZooKeeperTool.SucceedAsync("topics", ["--create", "--zookeeper", cluster.ZooKeeperConnect, "--topic", topic,
            "--replica-assignment", string.Join(",", leaders)]);

    /// <summary>Waits until the broker's Metadata for <paramref name="topic"/> satisfies <paramref name="accept"/>.</summary>
    public static async Task<TopicMetadata> WaitForMetadataAsync(string bootstrap, string topic, Func<TopicMetadata, bool> accept)
    {
        using var admin = AdminClients.Create(bootstrap);
        TopicMetadata? found = null;
        await WaitUntilAsync(() =>
            {
                found = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single();
                return Task.FromResult(found.Error.Code == ErrorCode.NoError && accept(found));
            },
            () => Task.FromResult($"{topic} on {bootstrap}: {found?.Error}, partitions " +
                string.Join(", ", found?.Partitions.Select(p => $"{p.PartitionId}: leader {p.Leader} {p.Error.Code}") ?? [])));
        return found!;
    }

    /// <summary>Waits until the broker's Metadata shows every one of the topic's partitions with a leader.</summary>
    public static Task<TopicMetadata> WaitForLeadersAsync(string bootstrap, string topic, int partitions) =>
        WaitForMetadataAsync(bootstrap, topic, t => t.Partitions.Count == partitions && t.Partitions.All(p => p.Leader >= 0));

    /// <summary>Produces <paramref name="values"/> to one partition through <paramref name="bootstrap"/>, each acknowledged.</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, int partition, IEnumerable<string> values)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            LingerMs = 0,
            MessageTimeoutMs = 60_000,
        }).Build();
        foreach (var value in values)
        {
            var result = await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<Null, string> { Value = value });
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }
    }

    /// <summary>Reads one partition from its start through <paramref name="bootstrap"/> until <paramref name="count"/> values came.</summary>
    public static List<string> Consume(string bootstrap, string topic, int partition, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "unused-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Generous;
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } record)
            {
                values.Add(record.Message.Value);
            }
        }
        return values;
    }

    public static string[] Values(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => $"{prefix}-{i}")];
}
