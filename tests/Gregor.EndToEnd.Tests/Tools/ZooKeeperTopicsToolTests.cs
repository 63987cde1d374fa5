using System.Text;
using System.Text.RegularExpressions;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.ZooKeeper;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// `gregor topics --zookeeper` against a real ZooKeeper, as kafka-topics.sh worked through ZooKeeper: the znodes it
/// writes (Kafka's exact JSON) and what it prints. Brokers are registered by writing /brokers/ids/&lt;id&gt; as a
/// broker does; no broker runs (the controller acts on these znodes elsewhere).
/// </summary>
public sealed class ZooKeeperTopicsToolTests(ZooKeeperToolFixture fixture) : IClassFixture<ZooKeeperToolFixture>
{
    [Fact]
    public async Task Create_with_a_replica_assignment_and_configs_writes_kafkas_znodes_and_describe_and_list_show_the_topic()
    {
        var connect = fixture.FreshConnectString();
        await using var zk = await ZooKeeperToolFixture.ConnectAsync(connect);
        await RegisterBrokersAsync(zk, 1, 2, 3);

        var created = await Topics(connect, "--create", "--topic", "orders", "--replica-assignment", "1:2,2:3,3:1", "--config", "cleanup.policy=compact");
        Assert.Equal("Created topic orders.\n", created.StandardOutput);

        var assignment = await GetTextAsync(zk, "/brokers/topics/orders");
        var match = Regex.Match(assignment,
            "^\\{\"partitions\":\\{\"0\":\\[1,2\\],\"1\":\\[2,3\\],\"2\":\\[3,1\\]\\},\"removing_replicas\":\\{\\},\"topic_id\":\"(?<id>[A-Za-z0-9_-]{22})\",\"adding_replicas\":\\{\\},\"version\":3\\}$");
        Assert.True(match.Success, assignment);
        Assert.Equal("{\"version\":1,\"config\":{\"cleanup.policy\":\"compact\"}}", await GetTextAsync(zk, "/config/topics/orders"));

        // The controller's partition states: partition 0 led by 2 with ISR [2,1]; the others not elected yet.
        await zk.EnsurePathAsync("/brokers/topics/orders/partitions/0");
        await zk.CreateAsync("/brokers/topics/orders/partitions/0/state", PartitionStateZnode.Encode(new LeaderAndIsr(2, 3, [2, 1]), 1));

        var describe = await Topics(connect, "--describe", "--topic", "orders");
        Assert.Equal(
            $"Topic: orders\tTopicId: {match.Groups["id"].Value}\tPartitionCount: 3\tReplicationFactor: 2\tConfigs: cleanup.policy=compact\n" +
            "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 1,2\tIsr: 2,1\n" +
            "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3\tIsr: \n" +
            "\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: 3,1\tIsr: \n",
            describe.StandardOutput);

        await Topics(connect, "--create", "--topic", "audit", "--partitions", "1", "--replication-factor", "1");
        Assert.Equal("audit\norders\n", (await Topics(connect, "--list")).StandardOutput);
    }

    [Fact]
    public async Task Create_assigns_replicas_over_the_registered_brokers_as_kafka_does()
    {
        var connect = fixture.FreshConnectString();
        await using var zk = await ZooKeeperToolFixture.ConnectAsync(connect);
        await RegisterBrokersAsync(zk, 1, 2, 3);

        await Topics(connect, "--create", "--topic", "spread", "--partitions", "6", "--replication-factor", "2");

        var (data, _) = await zk.GetDataAsync("/brokers/topics/spread");
        var assignment = TopicAssignmentZnode.Decode(data).GetValueOrThrow("/brokers/topics/spread");
        Assert.NotNull(assignment.TopicId);
        Assert.Equal([0, 1, 2, 3, 4, 5], assignment.Partitions.Keys.Order());
        Assert.All(assignment.Partitions.Values, p =>
        {
            Assert.Equal(2, p.Replicas.Distinct().Count());
            Assert.All(p.Replicas, r => Assert.InRange(r, 1, 3));
        });
        // Round-robin leaders: every broker is the preferred leader of two of the six partitions.
        Assert.All(assignment.Partitions.Values.GroupBy(p => p.Replicas[0]), g => Assert.Equal(2, g.Count()));
        Assert.Equal("{\"version\":1,\"config\":{}}", await GetTextAsync(zk, "/config/topics/spread"));
    }

    [Fact]
    public async Task Too_few_brokers_is_kafkas_message_and_writes_nothing()
    {
        var connect = fixture.FreshConnectString();
        await using var zk = await ZooKeeperToolFixture.ConnectAsync(connect);
        await RegisterBrokersAsync(zk, 1, 2);

        var result = await ZooKeeperTool.RunAsync("topics", ["--zookeeper", connect, "--create", "--topic", "big", "--partitions", "1", "--replication-factor", "3"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("gregor topics: error: Replication factor: 3 larger than available brokers: 2.", result.StandardError.Trim());
        Assert.Null(await zk.ExistsAsync("/brokers/topics/big"));
        Assert.Null(await zk.ExistsAsync("/config/topics/big"));
    }

    [Fact]
    public async Task An_existing_topic_is_refused_unless_if_not_exists_and_is_left_as_it_was()
    {
        var connect = fixture.FreshConnectString();
        await using var zk = await ZooKeeperToolFixture.ConnectAsync(connect);
        await RegisterBrokersAsync(zk, 1);
        await Topics(connect, "--create", "--topic", "once", "--partitions", "1", "--replication-factor", "1", "--config", "retention.ms=1000");
        var before = await GetTextAsync(zk, "/brokers/topics/once");

        var again = await ZooKeeperTool.RunAsync("topics", ["--zookeeper", connect, "--create", "--topic", "once", "--partitions", "2", "--replication-factor", "1"]);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("gregor topics: error: Topic 'once' already exists.", again.StandardError.Trim());
        var quiet = await Topics(connect, "--create", "--topic", "once", "--partitions", "2", "--replication-factor", "1", "--if-not-exists");
        Assert.Equal("", quiet.StandardOutput);

        Assert.Equal(before, await GetTextAsync(zk, "/brokers/topics/once"));
        Assert.Equal("{\"version\":1,\"config\":{\"retention.ms\":\"1000\"}}", await GetTextAsync(zk, "/config/topics/once"));
    }

    [Fact]
    public async Task Alter_adds_partitions_to_the_assignment_znode_and_refuses_a_shrink()
    {
        var connect = fixture.FreshConnectString();
        await using var zk = await ZooKeeperToolFixture.ConnectAsync(connect);
        await RegisterBrokersAsync(zk, 1, 2, 3);
        await Topics(connect, "--create", "--topic", "grow", "--replica-assignment", "1:2,2:3");
        var id = Regex.Match(await GetTextAsync(zk, "/brokers/topics/grow"), "\"topic_id\":\"([^\"]+)\"").Groups[1].Value;

        var altered = await Topics(connect, "--alter", "--topic", "grow", "--partitions", "4");
        Assert.Equal("Altered topic grow: 2 -> 4 partitions.\n", altered.StandardOutput);

        var (data, _) = await zk.GetDataAsync("/brokers/topics/grow");
        var text = Encoding.UTF8.GetString(data);
        Assert.StartsWith("{\"partitions\":{\"0\":[1,2],\"1\":[2,3],\"2\":[", text);
        Assert.EndsWith($"]}},\"removing_replicas\":{{}},\"topic_id\":\"{id}\",\"adding_replicas\":{{}},\"version\":3}}", text);
        var assignment = TopicAssignmentZnode.Decode(data).GetValueOrThrow("/brokers/topics/grow");
        Assert.Equal([0, 1, 2, 3], assignment.Partitions.Keys.Order());
        Assert.All(assignment.Partitions.Values, p => Assert.Equal(2, p.Replicas.Distinct().Count(r => r is >= 1 and <= 3)));

        var shrink = await ZooKeeperTool.RunAsync("topics", ["--zookeeper", connect, "--alter", "--topic", "grow", "--partitions", "3"]);
        Assert.Equal(1, shrink.ExitCode);
        Assert.Equal("gregor topics: error: The number of partitions for a topic can only be increased. Topic grow currently has 4 partitions, 3 would not be an increase.",
            shrink.StandardError.Trim());
        Assert.Equal(text, await GetTextAsync(zk, "/brokers/topics/grow"));
    }

    [Fact]
    public async Task Delete_creates_the_deletion_marker_for_the_controller_and_list_and_describe_show_it()
    {
        var connect = fixture.FreshConnectString();
        await using var zk = await ZooKeeperToolFixture.ConnectAsync(connect);
        await RegisterBrokersAsync(zk, 1);
        await Topics(connect, "--create", "--topic", "gone", "--partitions", "1", "--replication-factor", "1");

        var deleted = await Topics(connect, "--delete", "--topic", "gone");
        Assert.Equal("Topic gone is marked for deletion.\nNote: This will have no impact if delete.topic.enable is not set to true.\n", deleted.StandardOutput);
        var (marker, stat) = await zk.GetDataAsync("/admin/delete_topics/gone");
        Assert.Empty(marker);
        Assert.Equal(0, stat.EphemeralOwner);
        Assert.NotNull(await zk.ExistsAsync("/brokers/topics/gone")); // the controller removes it, not the tool

        Assert.Equal("gone - marked for deletion\n", (await Topics(connect, "--list")).StandardOutput);
        var describe = GregorTool.Lines((await Topics(connect, "--describe", "--topic", "gone")).StandardOutput);
        Assert.All(describe, line => Assert.EndsWith("\tMarkedForDeletion: true", line));
        Assert.Equal("Topic gone is already marked for deletion.\n", (await Topics(connect, "--delete", "--topic", "gone")).StandardOutput);

        var missing = await ZooKeeperTool.RunAsync("topics", ["--zookeeper", connect, "--delete", "--topic", "never"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("gregor topics: error: topic 'never' does not exist", missing.StandardError.Trim());
        Assert.Null(await zk.ExistsAsync("/admin/delete_topics/never"));
    }

    [Fact]
    public async Task Zookeeper_and_bootstrap_server_together_are_refused_and_an_unreachable_zookeeper_is_one_line()
    {
        var both = await ZooKeeperTool.RunAsync("topics", ["--zookeeper", fixture.FreshConnectString(), "--bootstrap-server", "127.0.0.1:9092", "--list"]);
        Assert.Equal(1, both.ExitCode);
        Assert.Equal("gregor topics: error: give one of --bootstrap-server and --zookeeper, not both", both.StandardError.Trim());

        var unreachable = await ZooKeeperTool.RunAsync("topics", ["--zookeeper", "127.0.0.1:1", "--list"]);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.StartsWith("gregor topics: error: cannot reach ZooKeeper at 127.0.0.1:1: ", Assert.Single(GregorTool.Lines(unreachable.StandardError)));
    }

    private static Task<Support.ExternalProcess.Result> Topics(string connect, params string[] arguments) =>
        ZooKeeperTool.SucceedAsync("topics", ["--zookeeper", connect, .. arguments]);

    // What a broker writes at start-up: /brokers/ids/<id> (ephemeral) in Kafka's registration format.
    private static async Task RegisterBrokersAsync(ZooKeeperClient zk, params int[] ids)
    {
        await zk.EnsurePathAsync("/brokers/ids");
        foreach (var id in ids)
        {
            var registration = new BrokerRegistration(id, [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9092 + id)], null,
                new Dictionary<string, FeatureVersionRange>());
            await zk.CreateAsync($"/brokers/ids/{id}", BrokerRegistrationZnode.Encode(registration, 1_700_000_000_000), CreateMode.Ephemeral);
        }
    }

    private static async Task<string> GetTextAsync(ZooKeeperClient zk, string path) => Encoding.UTF8.GetString((await zk.GetDataAsync(path)).Data);
}
