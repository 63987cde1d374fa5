using Gregor.Broker.Config;
using static Gregor.Broker.Tests.Config.BrokerConfigTestHelpers;

namespace Gregor.Broker.Tests.Config;

public class ZooKeeperConnectTests
{
    [Fact]
    public void Comma_separated_servers()
    {
        var zk = ZooKeeperConnect.Parse("zk1:2181,zk2:2182, zk3:2183");
        Assert.Equal([new ZooKeeperServer("zk1", 2181), new ZooKeeperServer("zk2", 2182), new ZooKeeperServer("zk3", 2183)], zk.Servers);
        Assert.Null(zk.Chroot);
    }

    [Fact]
    public void Semicolon_separated_servers()
    {
        var zk = ZooKeeperConnect.Parse("zk1:2181;zk2:2182");
        Assert.Equal(["zk1", "zk2"], zk.Servers.Select(s => s.Host));
    }

    [Fact]
    public void Chroot_at_the_end()
    {
        var zk = ZooKeeperConnect.Parse("zk1:2181,zk2:2181/kafka/prod");
        Assert.Equal(2, zk.Servers.Count);
        Assert.Equal("/kafka/prod", zk.Chroot);
        Assert.Equal("zk1:2181,zk2:2181/kafka/prod", zk.ToString());
    }

    [Fact]
    public void A_bare_slash_is_no_chroot()
    {
        Assert.Null(ZooKeeperConnect.Parse("zk1:2181/").Chroot);
    }

    [Fact]
    public void Missing_port_is_zookeepers_default()
    {
        Assert.Equal(2181, ZooKeeperConnect.Parse("zk1").Servers.Single().Port);
    }

    [Fact]
    public void Ipv6_server()
    {
        Assert.Equal(new ZooKeeperServer("::1", 2181), ZooKeeperConnect.Parse("[::1]:2181").Servers.Single());
    }

    [Theory]
    [InlineData("zk1:abc")]
    [InlineData("zk1:0")]
    [InlineData("zk1:65536")]
    [InlineData("zk1:")]
    [InlineData(":2181")]
    [InlineData("/chroot")]
    [InlineData("zk1:2181/chroot/")]
    [InlineData("zk1:2181/a//b")]
    [InlineData("[::1")]
    public void Bad_connect_strings_name_the_key(string text)
    {
        var e = Assert.Throws<ConfigException>(() => ZooKeeperConnect.Parse(text));
        Assert.Equal("zookeeper.connect", e.Key);
        Assert.Equal(text, e.Value);
    }

    [Fact]
    public void Broker_config_parses_zookeeper_connect()
    {
        var c = Cfg("zookeeper.connect=localhost:2181/gregor", "zookeeper.connection.timeout.ms=6000");
        Assert.Equal("/gregor", c.ZooKeeperConnect!.Chroot);
        Assert.Equal(6000, c.ZooKeeperConnectionTimeoutMs);
        Assert.Equal("zookeeper.connect", Invalid("zookeeper.connect=localhost:x").Key);
    }
}
