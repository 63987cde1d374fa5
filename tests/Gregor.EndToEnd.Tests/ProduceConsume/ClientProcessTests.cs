using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume;

/// <summary>kcat and kafka-python (at several protocol generations) move data through the broker.</summary>
public sealed class ClientProcessTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static string ClientsDirectory => Path.Combine(RepositoryPaths.Root, "tests", "clients");

    [Fact]
    public async Task Kcat_produces_and_consumes_keyed_records()
    {
        var topic = $"kcat-{Guid.NewGuid():N}";
        var lines = string.Join('\n', Enumerable.Range(0, 100).Select(i => $"key{i}:value{i}")) + "\n";
        var produce = await ExternalProcess.RunAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-P", "-t", topic, "-K:"], Timeout, standardInput: lines);
        Assert.True(produce.ExitCode == 0, produce.ToString());
        var consume = await ExternalProcess.RunAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%o %k %s\\n"], Timeout);
        Assert.True(consume.ExitCode == 0, consume.ToString());
        var expected = Enumerable.Range(0, 100).Select(i => $"{i} key{i} value{i}");
        Assert.Equal(expected, consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0.9")]
    [InlineData("0.10.0")]
    [InlineData("0.10.2")]
    [InlineData("1.0")]
    public async Task Kafka_python_produces_and_consumes(string? apiVersion)
    {
        var topic = $"kpy-{Guid.NewGuid():N}";
        List<string> args = [Path.Combine(ClientsDirectory, "produce_consume.py"), fixture.Broker.BootstrapServers, topic, "50"];
        if (apiVersion is not null)
        {
            args.Add(apiVersion);
        }
        var result = await ExternalProcess.RunAsync("/usr/bin/python3", args, Timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i} k{i} v{i}"), result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
