using Gregor.Broker.Config;
using Gregor.Broker.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.Broker.Tests.Config;

/// <summary>The zookeeper.* keys reach the broker's ZooKeeper client.</summary>
public class ZooKeeperClientSettingsTests
{
    [Fact]
    public void Every_zookeeper_key_reaches_the_client_options()
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["zookeeper.connect"] = "127.0.0.1:2181/gregor",
            ["zookeeper.session.timeout.ms"] = "6000",
            ["zookeeper.connection.timeout.ms"] = "7000",
            ["zookeeper.max.in.flight.requests"] = "250",
        }).Config;

        var options = BrokerServer.ZooKeeperClientOptionsFor(config, config.ZooKeeperConnect!, NullLogger.Instance);

        Assert.Equal("127.0.0.1:2181/gregor", options.ConnectString);
        Assert.Equal(TimeSpan.FromMilliseconds(6000), options.SessionTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(7000), options.ConnectionTimeout);
        Assert.Equal(250, options.MaxInFlightRequests);
    }

    [Fact]
    public void The_in_flight_bound_defaults_to_Kafkas_ten()
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string> { ["zookeeper.connect"] = "127.0.0.1:2181" }).Config;

        Assert.Equal(10, BrokerServer.ZooKeeperClientOptionsFor(config, config.ZooKeeperConnect!, NullLogger.Instance).MaxInFlightRequests);
    }
}
