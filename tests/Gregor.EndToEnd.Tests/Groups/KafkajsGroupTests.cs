using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>kafkajs, whose consumer always joins a group, produces and consumes through the broker.</summary>
public sealed class KafkajsGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static string ClientsDirectory => Path.Combine(RepositoryPaths.Root, "tests", "clients");

    [Fact]
    public async Task Kafkajs_produces_and_consumes_in_a_group()
    {
        var topic = $"kjs-{Guid.NewGuid():N}";
        var result = await ExternalProcess.RunAsync("node", ["produce_consume.js", fixture.Broker.BootstrapServers, topic, "50"], TimeSpan.FromSeconds(90), workingDirectory: ClientsDirectory);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i} k{i} v{i}"), result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
