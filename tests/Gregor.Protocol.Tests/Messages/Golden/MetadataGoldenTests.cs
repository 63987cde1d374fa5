using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Messages.Golden;

/// <summary>Metadata bodies against bytes built by hand from the reference field orders.</summary>
public sealed class MetadataGoldenTests
{
    private static readonly Uuid TopicId = new(0x0102030405060708, 0x090a0b0c0d0e0f10);

    [Fact]
    public void RequestV0IsAnArrayOfTopicNames()
    {
        var request = new MetadataRequest { Topics = [new() { Name = "a" }, new() { Name = "bc" }], AllowAutoTopicCreation = false };
        var expected = new ByteBuilder().ArrayCount(2).String("a").String("bc").ToArray();
        var read = GoldenAssert.BothWays(request, 0, expected);
        Assert.Equal(["a", "bc"], read.Topics!.Select(t => t.Name));
        Assert.True(read.AllowAutoTopicCreation); // not in v0: the default
    }

    [Fact]
    public void RequestV1NullTopicsMeansAllTopics()
    {
        var read = GoldenAssert.BothWays(new MetadataRequest { Topics = null }, 1, new ByteBuilder().ArrayCount(-1).ToArray());
        Assert.Null(read.Topics);
    }

    [Fact]
    public void RequestV9IsFlexible()
    {
        var request = new MetadataRequest
        {
            Topics = [new() { Name = "orders" }],
            AllowAutoTopicCreation = true,
            IncludeClusterAuthorizedOperations = false,
            IncludeTopicAuthorizedOperations = true,
        };
        var expected = new ByteBuilder()
            .CompactArrayCount(1).CompactString("orders").NoTaggedFields()
            .Bool(true).Bool(false).Bool(true)
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(request, 9, expected);
        Assert.Equal("orders", read.Topics![0].Name);
        Assert.True(read.AllowAutoTopicCreation);
        Assert.False(read.IncludeClusterAuthorizedOperations);
        Assert.True(read.IncludeTopicAuthorizedOperations);
    }

    [Fact]
    public void RequestV12NamesTopicsByIdWithANullName()
    {
        var request = new MetadataRequest
        {
            Topics = [new() { TopicId = TopicId, Name = null }],
            AllowAutoTopicCreation = false,
            IncludeClusterAuthorizedOperations = true, // versions 8-10 only
            IncludeTopicAuthorizedOperations = false,
        };
        var expected = new ByteBuilder()
            .CompactArrayCount(1).Uuid(0x0102030405060708, 0x090a0b0c0d0e0f10).CompactString(null).NoTaggedFields()
            .Bool(false).Bool(false)
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(request, 12, expected);
        Assert.Equal(TopicId, read.Topics![0].TopicId);
        Assert.Null(read.Topics[0].Name);
        Assert.False(read.IncludeClusterAuthorizedOperations);
    }

    private static MetadataResponse SampleResponse() => new()
    {
        ThrottleTimeMs = 10,
        Brokers = [new() { NodeId = 1, Host = "localhost", Port = 9092, Rack = "r1" }],
        ClusterId = "cluster",
        ControllerId = 1,
        Topics =
        [
            new()
            {
                ErrorCode = 0,
                Name = "orders",
                TopicId = TopicId,
                IsInternal = false,
                Partitions = [new() { ErrorCode = 0, PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 4, ReplicaNodes = [1], IsrNodes = [1], OfflineReplicas = [] }],
                TopicAuthorizedOperations = 0x0ff8,
            },
        ],
        ClusterAuthorizedOperations = int.MinValue,
    };

    [Fact]
    public void ResponseV0()
    {
        var expected = new ByteBuilder()
            .ArrayCount(1).Int32(1).String("localhost").Int32(9092)
            .ArrayCount(1).Int16(0).String("orders")
            .ArrayCount(1).Int16(0).Int32(0).Int32(1).ArrayCount(1).Int32(1).ArrayCount(1).Int32(1)
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 0, expected);
        Assert.Equal((1, "localhost", 9092), (read.Brokers[0].NodeId, read.Brokers[0].Host, read.Brokers[0].Port));
        Assert.Null(read.Brokers[0].Rack);
        Assert.Null(read.ClusterId);
        Assert.Equal("orders", read.Topics[0].Name);
        Assert.Equal([1], read.Topics[0].Partitions[0].IsrNodes);
        Assert.Equal(-1, read.Topics[0].Partitions[0].LeaderEpoch);
    }

    [Fact]
    public void ResponseV9()
    {
        var expected = new ByteBuilder()
            .Int32(10)
            .CompactArrayCount(1).Int32(1).CompactString("localhost").Int32(9092).CompactString("r1").NoTaggedFields()
            .CompactString("cluster")
            .Int32(1)
            .CompactArrayCount(1).Int16(0).CompactString("orders").Bool(false)
            .CompactArrayCount(1).Int16(0).Int32(0).Int32(1).Int32(4)
            .CompactArrayCount(1).Int32(1).CompactArrayCount(1).Int32(1).CompactArrayCount(0).NoTaggedFields()
            .Int32(0x0ff8).NoTaggedFields()
            .Int32(int.MinValue)
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 9, expected);
        Assert.Equal(10, read.ThrottleTimeMs);
        Assert.Equal("r1", read.Brokers[0].Rack);
        Assert.Equal("cluster", read.ClusterId);
        Assert.Equal(4, read.Topics[0].Partitions[0].LeaderEpoch);
        Assert.Equal(0x0ff8, read.Topics[0].TopicAuthorizedOperations);
        Assert.Equal(Uuid.Zero, read.Topics[0].TopicId);
    }

    [Fact]
    public void ResponseV12()
    {
        var expected = new ByteBuilder()
            .Int32(10)
            .CompactArrayCount(1).Int32(1).CompactString("localhost").Int32(9092).CompactString("r1").NoTaggedFields()
            .CompactString("cluster")
            .Int32(1)
            .CompactArrayCount(1).Int16(0).CompactString("orders").Uuid(0x0102030405060708, 0x090a0b0c0d0e0f10).Bool(false)
            .CompactArrayCount(1).Int16(0).Int32(0).Int32(1).Int32(4)
            .CompactArrayCount(1).Int32(1).CompactArrayCount(1).Int32(1).CompactArrayCount(0).NoTaggedFields()
            .Int32(0x0ff8).NoTaggedFields()
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 12, expected);
        Assert.Equal(TopicId, read.Topics[0].TopicId);
        Assert.Equal("orders", read.Topics[0].Name);
        Assert.Equal(int.MinValue, read.ClusterAuthorizedOperations); // not in v12: the default
    }
}
