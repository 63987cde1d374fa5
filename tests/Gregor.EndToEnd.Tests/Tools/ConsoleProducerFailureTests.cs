using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>A broker with small message.max.bytes and no topic auto-creation, for delivery failures.</summary>
public sealed class RestrictedBrokerFixture : IAsyncLifetime
{
    public BrokerProcess Broker { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Broker = await BrokerProcess.StartAsync(["message.max.bytes=2000", "auto.create.topics.enable=false"]);

    public Task DisposeAsync() => Broker.DisposeAsync().AsTask();
}

/// <summary>console-producer reports every undelivered record on stderr and exits non-zero.</summary>
public sealed class ConsoleProducerFailureTests(RestrictedBrokerFixture fixture) : IClassFixture<RestrictedBrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [Fact]
    public async Task A_record_larger_than_message_max_bytes_fails_the_run()
    {
        var topic = GregorTool.NewTopic("small");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        var result = await GregorTool.RunAsync(Broker, "console-producer", ["--topic", topic], new string('x', 5000) + "\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"line 1 not delivered to {topic}: Broker: Message size too large", result.StandardError);
        Assert.Contains("1 of 1 records were not delivered", result.StandardError);
    }

    [Fact]
    public async Task A_topic_that_does_not_exist_fails_the_run_when_auto_creation_is_off()
    {
        var topic = GregorTool.NewTopic("absent");
        // librdkafka waits topic.metadata.propagation.max.ms (30 s) before declaring a topic unknown.
        var result = await GregorTool.RunAsync(Broker, "console-producer",
            ["--topic", topic, "--producer-property", "topic.metadata.propagation.max.ms=1000"], "hello\n");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"line 1 not delivered to {topic}: Broker: Unknown topic or partition", result.StandardError);
    }
}
