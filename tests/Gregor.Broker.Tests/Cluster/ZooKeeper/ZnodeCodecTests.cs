using System.Text;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Tests.Cluster.ZooKeeper;

/// <summary>The other znodes of Kafka's layout, against the bytes Kafka 3.x writes (field order as its maps iterate).</summary>
public sealed class ZnodeCodecTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);

    // 6d6f7b0a1c2d4e5f 8091a2b3c4d5e6f7: its base64 needs the url-safe '-' and '_'.
    private static readonly Uuid TopicId = new(0x6d6f7b0a1c2d4e5f, unchecked((long)0x8091a2b3c4d5e6f7));

    [Fact]
    public void Controller_is_written_as_kafka_writes_it_and_read_back()
    {
        var bytes = ControllerZnode.Encode(2, 1700000000000);

        Assert.Equal("""{"version":2,"brokerid":2,"timestamp":"1700000000000","kraftControllerEpoch":-1}""", Text(bytes));
        Assert.Equal(new ControllerRegistration(2, -1), ControllerZnode.Decode(bytes).Value);
        Assert.Equal(new ControllerRegistration(4, null), ControllerZnode.Decode(Utf8("""{"version":1,"brokerid":4,"timestamp":"1"}""")).Value);
        Assert.Contains("missing \"brokerid\"", ControllerZnode.Decode(Utf8("""{"version":2}""")).Error);
    }

    [Fact]
    public void Controller_epoch_is_ascii_digits()
    {
        Assert.Equal("17", Text(ControllerEpochZnode.Encode(17)));
        Assert.Equal(17, ControllerEpochZnode.Decode(Utf8("17")));
        Assert.Null(ControllerEpochZnode.Decode(Utf8("x1")));
        Assert.Null(ControllerEpochZnode.Decode([]));
    }

    [Fact]
    public void Topic_version_3_is_written_in_kafka_field_order_with_base64_topic_id()
    {
        var assignment = new TopicAssignment(TopicId, new Dictionary<int, PartitionReplicas>
        {
            [1] = new([2, 3], [3], []),
            [0] = new([1, 2]),
        });

        Assert.Equal(
            """{"partitions":{"0":[1,2],"1":[2,3]},"removing_replicas":{},"topic_id":"bW97ChwtTl-AkaKzxNXm9w","adding_replicas":{"1":[3]},"version":3}""",
            Text(TopicAssignmentZnode.Encode(assignment)));
    }

    [Fact]
    public void Kafka_topic_version_3_is_read_with_reassignment_lists()
    {
        // Kafka's hash order of partition keys: "0","11","1",... — order must not matter.
        var data = Utf8("""{"partitions":{"0":[1,2],"11":[3,1],"1":[2,3]},"removing_replicas":{"11":[1]},"topic_id":"AAAAAAAAAAEAAAAAAAAAAg","adding_replicas":{"11":[3]},"version":3}""");

        var topic = TopicAssignmentZnode.Decode(data).GetValueOrThrow("/brokers/topics/t");

        Assert.Equal(new Uuid(1, 2), topic.TopicId);
        Assert.Equal([0, 1, 11], topic.Partitions.Keys.Order());
        Assert.Equal([1, 2], topic.Partitions[0].Replicas);
        Assert.Empty(topic.Partitions[0].AddingReplicas);
        Assert.Equal([3, 1], topic.Partitions[11].Replicas);
        Assert.Equal([3], topic.Partitions[11].AddingReplicas);
        Assert.Equal([1], topic.Partitions[11].RemovingReplicas);
    }

    [Theory]
    [InlineData("""{"version":1,"partitions":{"0":[1],"1":[2]}}""")]
    [InlineData("""{"version":2,"partitions":{"0":[1],"1":[2]},"adding_replicas":{},"removing_replicas":{}}""")]
    public void Topic_versions_1_and_2_have_no_topic_id(string json)
    {
        var topic = TopicAssignmentZnode.Decode(Utf8(json)).GetValueOrThrow("p");

        Assert.Null(topic.TopicId);
        Assert.Equal([2], topic.Partitions[1].Replicas);
    }

    [Theory]
    [InlineData("""{"version":4,"partitions":{}}""", "unsupported topic assignment version 4")]
    [InlineData("""{"version":3,"partitions":{"x":[1]}}""", "non-numeric partition \"x\"")]
    [InlineData("""{"version":3,"partitions":{"0":[1,"2"]}}""", "holds a non-integer")]
    [InlineData("""{"version":3,"partitions":{"0":1}}""", "is not an array")]
    [InlineData("""{"version":3,"partitions":{},"topic_id":"short"}""", "is not a base64 uuid")]
    [InlineData("""{"partitions":{}}""", "missing \"version\"")]
    [InlineData("""{"version":3,"partitions":{"0":[1]}""", "invalid JSON")]
    public void Malformed_topics_say_what_is_wrong(string json, string expected) =>
        Assert.Contains(expected, TopicAssignmentZnode.Decode(Utf8(json)).Error);

    [Fact]
    public void Partition_state_is_written_in_kafka_field_order_and_its_zk_version_is_the_partition_epoch()
    {
        var bytes = PartitionStateZnode.Encode(new LeaderAndIsr(1, 4, [1, 2]), 5);

        Assert.Equal("""{"controller_epoch":5,"leader":1,"version":1,"leader_epoch":4,"isr":[1,2]}""", Text(bytes));
        var state = PartitionStateZnode.Decode(bytes, zkVersion: 9).GetValueOrThrow("p");
        Assert.Equal(5, state.ControllerEpoch);
        Assert.Equal(1, state.LeaderAndIsr.Leader);
        Assert.Equal(4, state.LeaderAndIsr.LeaderEpoch);
        Assert.Equal([1, 2], state.LeaderAndIsr.Isr);
        Assert.Equal(9, state.LeaderAndIsr.PartitionEpoch);
        Assert.Equal(LeaderRecoveryState.Recovered, state.LeaderAndIsr.LeaderRecoveryState);
    }

    [Fact]
    public void Partition_state_carries_leader_recovery_state_only_while_recovering()
    {
        var bytes = PartitionStateZnode.Encode(new LeaderAndIsr(3, 1, [3], LeaderRecoveryState.Recovering), 2);

        Assert.EndsWith("\"isr\":[3],\"leader_recovery_state\":1}", Text(bytes));
        Assert.Equal(LeaderRecoveryState.Recovering, PartitionStateZnode.Decode(bytes, 0).Value!.LeaderAndIsr.LeaderRecoveryState);
        Assert.Contains("missing \"isr\"", PartitionStateZnode.Decode(Utf8("""{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0}"""), 0).Error);
        Assert.Contains("unsupported partition state version 2",
            PartitionStateZnode.Decode(Utf8("""{"controller_epoch":1,"leader":1,"version":2,"leader_epoch":0,"isr":[]}"""), 0).Error);
    }

    [Fact]
    public void Entity_config_values_are_strings()
    {
        var bytes = EntityConfigZnode.Encode(new Dictionary<string, string> { ["retention.ms"] = "1000", ["cleanup.policy"] = "compact" });

        Assert.Equal("""{"version":1,"config":{"cleanup.policy":"compact","retention.ms":"1000"}}""", Text(bytes));
        Assert.Equal("1000", EntityConfigZnode.Decode(Utf8("""{"version":1,"config":{"retention.ms":"1000"}}""")).Value!["retention.ms"]);
        Assert.Empty(EntityConfigZnode.Decode(Utf8("""{"version":1,"config":{}}""")).Value!);
        Assert.Contains("config \"retention.ms\" is not a string", EntityConfigZnode.Decode(Utf8("""{"version":1,"config":{"retention.ms":1000}}""")).Error);
    }

    [Fact]
    public void Config_change_notification_is_version_2_entity_path_and_version_1_is_read()
    {
        Assert.Equal("""{"version":2,"entity_path":"topics/t"}""", Text(ConfigChangeZnode.Encode(new ConfigEntity("topics", "t"))));
        Assert.Equal(new ConfigEntity("brokers", "<default>"), ConfigChangeZnode.Decode(Utf8("""{"version":2,"entity_path":"brokers/<default>"}""")).Value);
        Assert.Equal(new ConfigEntity("users", "u/clients/c"), ConfigChangeZnode.Decode(Utf8("""{"version":2,"entity_path":"users/u/clients/c"}""")).Value);
        Assert.Equal(new ConfigEntity("topics", "t"), ConfigChangeZnode.Decode(Utf8("""{"version":1,"entity_type":"topics","entity_name":"t"}""")).Value);
        Assert.Contains("is not type/name", ConfigChangeZnode.Decode(Utf8("""{"version":2,"entity_path":"topics"}""")).Error);
        Assert.Contains("unsupported config change version 3", ConfigChangeZnode.Decode(Utf8("""{"version":3}""")).Error);
    }

    [Fact]
    public void Cluster_id_version_is_the_string_1()
    {
        Assert.Equal("""{"version":"1","id":"abcdefghijklmnopqrstuv"}""", Text(ClusterIdZnode.Encode("abcdefghijklmnopqrstuv")));
        Assert.Equal("abcdefghijklmnopqrstuv", ClusterIdZnode.Decode(Utf8("""{"version":"1","id":"abcdefghijklmnopqrstuv"}""")).Value);
        Assert.Contains("missing \"id\"", ClusterIdZnode.Decode(Utf8("""{"version":"1"}""")).Error);
    }

    [Fact]
    public void Producer_id_block_bounds_are_decimal_strings_both_inclusive()
    {
        var bytes = ProducerIdBlockZnode.Encode(new ProducerIdBlock(1, 1000, ProducerIdBlock.DefaultSize));

        Assert.Equal("""{"version":1,"broker":1,"block_start":"1000","block_end":"1999"}""", Text(bytes));
        var block = ProducerIdBlockZnode.Decode(Utf8("""{"version":1,"broker":2,"block_start":"0","block_end":"999"}""")).GetValueOrThrow("p");
        Assert.Equal(new ProducerIdBlock(2, 0, 1000), block);
        Assert.Equal(1000, block.NextBlockFirstId);
        Assert.Contains("\"block_start\" is not a decimal string", ProducerIdBlockZnode.Decode(Utf8("""{"version":1,"broker":2,"block_start":0,"block_end":"999"}""")).Error);
        Assert.Contains("is not a valid range", ProducerIdBlockZnode.Decode(Utf8("""{"version":1,"broker":2,"block_start":"9","block_end":"1"}""")).Error);
    }
}
