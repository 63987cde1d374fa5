using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using static Gregor.EndToEnd.Tests.Cluster.ClusterProbe;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// A broker that has just started listens before the controller has told it of the cluster. A
/// Metadata request in that window must not be answered with no brokers: librdkafka drops every
/// broker a Metadata response leaves out, and a producer that asked a restarting broker was left
/// knowing none and stalled until its messages timed out. The request waits for the controller's
/// first UpdateMetadata instead.
/// </summary>
public sealed class StartupMetadataTests
{
    [Fact]
    public async Task A_restarted_broker_answers_metadata_with_the_cluster_once_the_controller_has_told_it()
    {
        // Sessions long enough that the frozen controller keeps its registration throughout.
        await using var cluster = await KafkaCluster.StartAsync(2, ["zookeeper.session.timeout.ms=60000"]);
        await cluster.WaitForRegisteredAsync([1, 2], Generous);
        await cluster.WaitForMetadataAsync(Generous);
        await using var zk = await cluster.ConnectZooKeeperAsync();
        var controller = await WaitForControllerAsync(zk);
        var other = controller == 1 ? 2 : 1;

        Assert.Equal(0, await cluster.Brokers[other].StopAsync(Generous));
        cluster.Brokers[controller].Signal("STOP");
        try
        {
            var restarted = await cluster.StartBrokerAsync(other);
            await WaitForBrokerNodeAsync(zk, other, present: true);
            using var connection = await RawConnection.ConnectAsync(restarted.Port);
            await connection.SendAsync(new MetadataRequest { Topics = [] }, version: 12, correlationId: 1);
            // Room for a wrong answer to arrive while the controller cannot send UpdateMetadata.
            await Task.Delay(TimeSpan.FromSeconds(2));
            cluster.Brokers[controller].Signal("CONT");

            var (_, response) = await connection.ReadResponseAsync<MetadataResponse>(12, Generous);
            Assert.Equal([1, 2], response.Brokers.Select(b => b.NodeId).Order());
            Assert.Equal(controller, response.ControllerId);
        }
        finally
        {
            cluster.Brokers[controller].Signal("CONT");
        }
    }
}
