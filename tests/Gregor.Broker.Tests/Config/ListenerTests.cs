using Gregor.Broker.Config;
using static Gregor.Broker.Tests.Config.BrokerConfigTestHelpers;

namespace Gregor.Broker.Tests.Config;

public class ListenerTests
{
    [Fact]
    public void Listeners_are_parsed()
    {
        var c = Cfg("listeners=PLAINTEXT://myhost:9093");
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "myhost", 9093)], c.EffectiveListeners);
    }

    [Fact]
    public void Empty_host_means_all_interfaces_and_advertises_the_machine_name()
    {
        var c = Cfg("listeners=PLAINTEXT://:9092");
        Assert.Equal("", c.EffectiveListeners[0].Host);
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "box1", 9092)], c.AdvertisedListenersFor("box1"));
        Assert.Equal(System.Net.Dns.GetHostName(), c.EffectiveAdvertisedListeners[0].Host);
    }

    [Fact]
    public void Localhost_is_advertised_as_localhost()
    {
        var c = Cfg("listeners=PLAINTEXT://localhost:9092");
        Assert.Equal("localhost", c.AdvertisedListenersFor("box1")[0].Host);
    }

    [Fact]
    public void Without_listeners_host_name_and_port_are_used()
    {
        var c = Cfg("host.name=10.0.0.1", "port=9999");
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "10.0.0.1", 9999)], c.EffectiveListeners);
        Assert.Equal("PLAINTEXT://10.0.0.1:9999", c.EffectiveListeners[0].ToString());
    }

    [Fact]
    public void Listeners_beat_host_name_and_port()
    {
        var c = Cfg("host.name=10.0.0.1", "port=9999", "listeners=PLAINTEXT://a:1");
        Assert.Equal(1, c.EffectiveListeners.Single().Port);
    }

    [Fact]
    public void Advertised_listeners_beat_listeners()
    {
        var c = Cfg("listeners=PLAINTEXT://0.0.0.0:9092", "advertised.listeners=PLAINTEXT://broker.example:9092");
        Assert.Equal("broker.example", c.AdvertisedListenersFor("box1").Single().Host);
    }

    [Fact]
    public void Legacy_advertised_host_and_port_apply_without_listeners()
    {
        var c = Cfg("port=9000", "advertised.host.name=public.example", "advertised.port=19000");
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "public.example", 19000)], c.AdvertisedListenersFor("box1"));
        Assert.Equal(9000, c.EffectiveListeners.Single().Port);
    }

    [Fact]
    public void Legacy_advertised_host_is_ignored_when_listeners_is_set()
    {
        var c = Cfg("listeners=PLAINTEXT://localhost:9092", "advertised.host.name=public.example");
        Assert.Equal("localhost", c.AdvertisedListenersFor("box1").Single().Host);
    }

    [Fact]
    public void Ipv6_hosts_are_bracketed()
    {
        var c = Cfg("listeners=PLAINTEXT://[::1]:9092");
        Assert.Equal("::1", c.EffectiveListeners[0].Host);
        Assert.Equal("PLAINTEXT://[::1]:9092", c.EffectiveListeners[0].ToString());
    }

    [Fact]
    public void Custom_listener_names_map_through_the_protocol_map()
    {
        var c = Cfg("listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
            "listeners=INTERNAL://:9092,EXTERNAL://:9093");
        Assert.Equal(["INTERNAL", "EXTERNAL"], c.EffectiveListeners.Select(l => l.ListenerName));
        Assert.All(c.EffectiveListeners, l => Assert.Equal("PLAINTEXT", l.SecurityProtocol));
    }

    [Theory]
    [InlineData("listeners=FOO://x:1", "listeners")]
    [InlineData("listeners=SSL://x:9093", "listeners")]
    [InlineData("listeners=SASL_PLAINTEXT://x:9093", "listeners")]
    [InlineData("listeners=PLAINTEXT://x", "listeners")]
    [InlineData("listeners=PLAINTEXT://x:port", "listeners")]
    [InlineData("listeners=PLAINTEXT://x:70000", "listeners")]
    [InlineData("listeners=x:9092", "listeners")]
    [InlineData("listeners=PLAINTEXT://::1:9092", "listeners")]
    [InlineData("listeners=PLAINTEXT://a:1,PLAINTEXT://b:2", "listeners")]
    [InlineData("listeners= , ", "listeners")]
    [InlineData("advertised.listeners=SSL://x:1", "advertised.listeners")]
    [InlineData("advertised.listeners=PLAINTEXT://0.0.0.0:9092", "advertised.listeners")]
    [InlineData("listeners=PLAINTEXT://0.0.0.0:9092", "listeners")]
    [InlineData("listener.security.protocol.map=PLAINTEXT", "listener.security.protocol.map")]
    public void Bad_listeners_name_the_key(string pair, string key)
    {
        var e = Invalid(pair);
        Assert.Equal(key, e.Key);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Unsupported_protocol_says_so()
    {
        var e = Invalid("listeners=SSL://x:9093");
        Assert.Contains("SSL", e.Message);
        Assert.Contains("not supported", e.Message);
    }

    [Fact]
    public void Advertised_listener_must_be_a_listener()
    {
        var e = Invalid("listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
            "listeners=INTERNAL://:9092", "advertised.listeners=EXTERNAL://x:9093");
        Assert.Equal("advertised.listeners", e.Key);
    }
}
