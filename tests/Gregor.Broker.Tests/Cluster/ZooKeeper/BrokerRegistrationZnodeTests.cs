using System.Text;
using Gregor.Broker.Cluster.ZooKeeper;

namespace Gregor.Broker.Tests.Cluster.ZooKeeper;

/// <summary>/brokers/ids/&lt;id&gt; as Kafka 3.x writes it (BrokerIdZNode) and as older versions wrote it.</summary>
public sealed class BrokerRegistrationZnodeTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Version_5_is_written_byte_for_byte_as_kafka_writes_it()
    {
        var broker = new BrokerRegistration(1, [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "localhost", 9092)], null,
            new Dictionary<string, FeatureVersionRange>());

        var json = Encoding.UTF8.GetString(BrokerRegistrationZnode.Encode(broker, 1700000000000));

        Assert.Equal(
            """{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://localhost:9092"],"jmx_port":-1,"port":9092,"host":"localhost","version":5,"timestamp":"1700000000000"}""",
            json);
    }

    [Fact]
    public void Kafka_version_5_with_rack_listeners_and_features_is_read()
    {
        var data = Utf8("""{"features":{"metadata.version":{"min_version":1,"max_version":21}},"listener_security_protocol_map":{"CLIENT":"SASL_SSL","REPLICATION":"PLAINTEXT"},"endpoints":["CLIENT://h1:9093","REPLICATION://[::1]:9094"],"rack":"dc1","jmx_port":9999,"port":9094,"host":"::1","version":5,"timestamp":"2233345666"}""");

        var result = BrokerRegistrationZnode.Decode(7, data);

        Assert.True(result.IsValid, result.Error);
        var broker = result.Value!;
        Assert.Equal(7, broker.BrokerId);
        Assert.Equal("dc1", broker.Rack);
        Assert.Equal(9999, broker.JmxPort);
        Assert.Equal(
            [new ListenerEndpoint("CLIENT", "SASL_SSL", "h1", 9093), new ListenerEndpoint("REPLICATION", "PLAINTEXT", "::1", 9094)],
            broker.Endpoints);
        Assert.Equal(new FeatureVersionRange(1, 21), broker.Features["metadata.version"]);
    }

    [Fact]
    public void Round_trip_keeps_rack_ipv6_and_features()
    {
        var broker = new BrokerRegistration(3,
            [new ListenerEndpoint("INTERNAL", "PLAINTEXT", "::1", 9093), new ListenerEndpoint("EXTERNAL", "SSL", null, 9094)],
            "r1", new Dictionary<string, FeatureVersionRange> { ["f"] = new(0, 2) });

        var bytes = BrokerRegistrationZnode.Encode(broker, 5);
        var back = BrokerRegistrationZnode.Decode(3, bytes).GetValueOrThrow("/brokers/ids/3");

        Assert.Contains("\"endpoints\":[\"INTERNAL://[::1]:9093\",\"EXTERNAL://:9094\"]", Encoding.UTF8.GetString(bytes));
        Assert.Equal(broker.Endpoints, back.Endpoints);
        Assert.Equal("r1", back.Rack);
        Assert.Equal(new FeatureVersionRange(0, 2), back.Features["f"]);
    }

    [Fact]
    public void Without_a_plaintext_listener_host_is_null_and_port_minus_one()
    {
        var broker = new BrokerRegistration(1, [new ListenerEndpoint("SSL", "SSL", "h", 9093)], null, new Dictionary<string, FeatureVersionRange>());

        Assert.Contains("\"port\":-1,\"host\":null", Encoding.UTF8.GetString(BrokerRegistrationZnode.Encode(broker, 1)));
    }

    [Fact]
    public void Version_1_gives_one_plaintext_endpoint_from_host_and_port()
    {
        var result = BrokerRegistrationZnode.Decode(1, Utf8("""{"version":1,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666"}"""));

        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "localhost", 9092)], result.GetValueOrThrow("p").Endpoints);
    }

    [Fact]
    public void Version_2_without_a_protocol_map_names_the_protocol_by_the_listener()
    {
        var result = BrokerRegistrationZnode.Decode(1, Utf8("""{"version":2,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["PLAINTEXT://host1:9092","SSL://host1:9093"]}"""));

        Assert.Equal(
            [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "host1", 9092), new ListenerEndpoint("SSL", "SSL", "host1", 9093)],
            result.GetValueOrThrow("p").Endpoints);
        Assert.Null(result.Value!.Rack);
    }

    [Theory]
    [InlineData("", "empty payload")]
    [InlineData("not json", "invalid JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("""{"version":"5","jmx_port":-1}""", "\"version\" is not a 32-bit integer")]
    [InlineData("""{"version":6,"jmx_port":-1,"endpoints":[]}""", "unsupported broker registration version 6")]
    [InlineData("""{"version":5,"jmx_port":-1}""", "missing \"endpoints\" array")]
    [InlineData("""{"version":5,"jmx_port":-1,"endpoints":["PLAINTEXT//h:1"]}""", "is not NAME://host:port")]
    [InlineData("""{"version":5,"jmx_port":-1,"endpoints":["X://h:1"],"listener_security_protocol_map":{"Y":"PLAINTEXT"}}""", "no security protocol for listener X")]
    [InlineData("""{"version":5,"jmx_port":-1,"endpoints":[],"rack":5}""", "\"rack\" is not a string")]
    public void Malformed_payloads_say_what_is_wrong(string json, string expected)
    {
        var result = BrokerRegistrationZnode.Decode(1, Utf8(json));

        Assert.False(result.IsValid);
        Assert.Contains(expected, result.Error);
        var e = Assert.Throws<InvalidDataException>(() => result.GetValueOrThrow("/brokers/ids/1"));
        Assert.Contains("/brokers/ids/1", e.Message);
    }
}
