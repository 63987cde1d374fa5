using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>DescribeCluster (Confluent.Kafka) and DescribeLogDirs (hand-made requests: librdkafka has no call for it).</summary>
public sealed class ClusterAndLogDirsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Describe_cluster_gives_the_broker_the_controller_and_every_operation()
    {
        using var admin = AdminClients.Create(fixture.Broker.BootstrapServers);

        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { IncludeAuthorizedOperations = true });

        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        var node = Assert.Single(cluster.Nodes);
        Assert.Equal(0, node.Id);
        Assert.Equal(fixture.Broker.Port, node.Port);
        Assert.Equal(0, cluster.Controller.Id);
        Assert.Contains(AclOperation.AlterConfigs, cluster.AuthorizedOperations);
        Assert.Contains(AclOperation.Describe, cluster.AuthorizedOperations);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Describe_log_dirs_lists_each_partition_with_its_size(short version)
    {
        var topic = AdminClients.NewTopicName("logdirs");
        await AdminClients.CreateTopicAsync(fixture.Broker.BootstrapServers, topic, 2);
        await AdminClients.ProduceAsync(fixture.Broker.BootstrapServers, topic, 5);
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);

        await connection.SendAsync(new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = topic, Partitions = [0, 1] }],
        }, version, correlationId: 7);
        var (correlationId, response) = await connection.ReadResponseAsync<DescribeLogDirsResponse>(version, Timeout);

        Assert.Equal(7, correlationId);
        var dir = Assert.Single(response.Results);
        Assert.Equal(0, dir.ErrorCode);
        Assert.Equal(Path.GetFullPath(fixture.Broker.LogDir), dir.LogDir);
        var described = Assert.Single(dir.Topics);
        Assert.Equal(topic, described.Name);
        Assert.Equal([0, 1], described.Partitions.Select(p => p.PartitionIndex));
        Assert.True(described.Partitions[0].PartitionSize > 0);
        Assert.Equal(0, described.Partitions[1].PartitionSize);
        Assert.All(described.Partitions, p => Assert.Equal(0, p.OffsetLag));
        Assert.All(described.Partitions, p => Assert.False(p.IsFutureKey));
        if (version >= 4)
        {
            Assert.True(dir.TotalBytes > 0);
            Assert.InRange(dir.UsableBytes, 0, dir.TotalBytes);
        }
    }

    [Fact]
    public async Task Describe_log_dirs_with_null_topics_lists_every_partition()
    {
        var topic = AdminClients.NewTopicName("logdirs-all");
        await AdminClients.CreateTopicAsync(fixture.Broker.BootstrapServers, topic, 3);
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);

        await connection.SendAsync(new DescribeLogDirsRequest { Topics = null }, 4, correlationId: 1);
        var (_, response) = await connection.ReadResponseAsync<DescribeLogDirsResponse>(4, Timeout);

        var described = Assert.Single(Assert.Single(response.Results).Topics, t => t.Name == topic);
        Assert.Equal([0, 1, 2], described.Partitions.Select(p => p.PartitionIndex));
    }
}
