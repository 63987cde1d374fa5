using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Cluster;

/// <summary>
/// One ZooKeeper and three broker processes shared by the acceptance classes of the
/// <see cref="ThreeBrokerCollection"/> (they run one after another on it, each with its own topics
/// and groups). Retention is checked every second so that a retention change is seen promptly.
/// </summary>
public sealed class ThreeBrokerCluster : IAsyncLifetime
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private KafkaCluster? _cluster;

    public KafkaCluster Cluster => _cluster ?? throw new InvalidOperationException("cluster not started");

    public BrokerProcess Broker(int id) => Cluster.Brokers[id];

    public async Task InitializeAsync()
    {
        _cluster = await KafkaCluster.StartAsync(3, ["log.retention.check.interval.ms=1000"]);
        await _cluster.WaitForRegisteredAsync([1, 2, 3], Generous);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Creates a topic through broker <paramref name="via"/> and waits until every broker shows its partitions led.</summary>
    public async Task<TopicMetadata> CreateTopicAsync(int via, string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        await AdminClients.CreateTopicAsync(Broker(via).BootstrapServers, topic, partitions, configs);
        TopicMetadata? metadata = null;
        foreach (var broker in Cluster.Brokers.Values)
        {
            metadata = await ClusterProbe.WaitForLeadersAsync(broker.BootstrapServers, topic, partitions);
        }
        return metadata!;
    }
}

[CollectionDefinition(nameof(ThreeBrokerCollection))]
public sealed class ThreeBrokerCollection : ICollectionFixture<ThreeBrokerCluster>;
