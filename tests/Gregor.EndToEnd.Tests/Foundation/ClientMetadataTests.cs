using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>Real clients discover the broker and the cluster: kcat, Confluent.Kafka, kafka-python, kafkajs.</summary>
public sealed class ClientMetadataTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string ClientsDirectory => Path.Combine(RepositoryPaths.Root, "tests", "clients");

    [Fact]
    public async Task Kcat_lists_broker_0()
    {
        var result = await ExternalProcess.RunAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-L", "-m", "10"], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 brokers:", result.StandardOutput);
        Assert.Contains($"broker 0 at 127.0.0.1:{fixture.Broker.Port}", result.StandardOutput);
    }

    [Fact]
    public async Task Kcat_json_metadata_names_the_controller()
    {
        var result = await ExternalProcess.RunAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-L", "-J", "-m", "10"], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(0, json.RootElement.GetProperty("controllerid").GetInt32());
        var broker = Assert.Single(json.RootElement.GetProperty("brokers").EnumerateArray());
        Assert.Equal(0, broker.GetProperty("id").GetInt32());
    }

    [Fact]
    public void Confluent_admin_client_gets_metadata()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(20));
        var broker = Assert.Single(metadata.Brokers);
        Assert.Equal(0, broker.BrokerId);
        Assert.Equal("127.0.0.1", broker.Host);
        Assert.Equal(fixture.Broker.Port, broker.Port);
    }

    [Fact]
    public async Task Confluent_admin_client_describes_cluster()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build();
        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        Assert.Equal(0, cluster.Controller.Id);
        Assert.Single(cluster.Nodes);
        var stored = File.ReadAllText(Path.Combine(fixture.Broker.LogDir, "meta.properties"));
        Assert.Contains($"cluster.id={cluster.ClusterId}", stored);
    }

    [Fact]
    public async Task Kafka_python_describes_cluster()
    {
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", [Path.Combine(ClientsDirectory, "describe_cluster.py"), fixture.Broker.BootstrapServers], Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(0, json.RootElement.GetProperty("controller_id").GetInt32());
        var broker = Assert.Single(json.RootElement.GetProperty("brokers").EnumerateArray());
        Assert.Equal(0, broker.GetProperty("node_id").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("cluster_id").GetString()));
    }

    [Fact]
    public async Task Kafkajs_describes_cluster()
    {
        var result = await ExternalProcess.RunAsync("node", ["describe_cluster.js", fixture.Broker.BootstrapServers], Timeout, workingDirectory: ClientsDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(0, json.RootElement.GetProperty("controller").GetInt32());
        var broker = Assert.Single(json.RootElement.GetProperty("brokers").EnumerateArray());
        Assert.Equal(0, broker.GetProperty("nodeId").GetInt32());
        Assert.Equal(fixture.Broker.Port, broker.GetProperty("port").GetInt32());
    }
}
