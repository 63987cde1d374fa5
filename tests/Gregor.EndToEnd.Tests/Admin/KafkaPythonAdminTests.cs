using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>kafka-python's KafkaAdminClient (CreatePartitions v1, AlterConfigs v1, DescribeConfigs v2) against the broker.</summary>
public sealed class KafkaPythonAdminTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Create_partitions_alter_and_describe_configs()
    {
        var topic = AdminClients.NewTopicName("kpy-admin");
        var script = Path.Combine(RepositoryPaths.Root, "tests", "clients", "admin_kafka_python.py");

        var result = await ExternalProcess.RunAsync("/usr/bin/python3", [script, fixture.Broker.BootstrapServers, topic], TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "grow_error 0",
            "shrink_error 37",
            "partitions 4",
            "alter_error 0",
            "alter_invalid_error 40",
            "describe_topic_error 0",
            "topic retention.ms 7200000 1",
            "topic segment.ms 604800000 5",
            "describe_broker_error 0",
            "broker broker.id 0 True",
            "broker log.retention.ms None False",
        ], lines);
        Assert.True(Directory.Exists(Path.Combine(fixture.Broker.LogDir, $"{topic}-3")));
    }
}
