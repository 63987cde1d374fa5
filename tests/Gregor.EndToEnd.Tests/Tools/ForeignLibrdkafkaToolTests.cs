using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>
/// The tools use the librdkafka they ship even when the system's loader would find another one
/// first — as with Debian's librdkafka-dev (2.0.2) installed, whose librdkafka.so lacks
/// functions Confluent.Kafka 2.16 calls.
/// </summary>
public sealed class ForeignLibrdkafkaToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    /// <summary>
    /// An "old librdkafka": reports version 2.0.2 and answers the two calls Confluent.Kafka makes
    /// when it loads a library, and has none of the functions clients are made of.
    /// </summary>
    private const string OldLibrdkafkaSource = """
        int rd_kafka_version(void) { return 0x020002ff; }
        const char *rd_kafka_version_str(void) { return "2.0.2"; }
        const char *rd_kafka_err2str(int err) { (void)err; return "Success"; }
        """;

    [Fact]
    public async Task Tools_work_with_an_old_librdkafka_first_on_LD_LIBRARY_PATH()
    {
        var dir = Directory.CreateTempSubdirectory("gregor-old-librdkafka-");
        try
        {
            var source = Path.Combine(dir.FullName, "old.c");
            await File.WriteAllTextAsync(source, OldLibrdkafkaSource);
            var gcc = await ExternalProcess.RunAsync("gcc", ["-shared", "-fPIC", "-o", Path.Combine(dir.FullName, "librdkafka.so"), source], TimeSpan.FromSeconds(60));
            Assert.True(gcc.ExitCode == 0, $"gcc could not build the stand-in library: {gcc}");
            var environment = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = dir.FullName };

            var topic = GregorTool.NewTopic("old-librdkafka");
            var created = await GregorTool.RunAsync(Broker, "topics", ["--create", "--partitions", "2", "--topic", topic], environment: environment);
            Assert.True(created.ExitCode == 0, created.ToString());
            var described = await GregorTool.RunAsync(Broker, "topics", ["--describe", "--topic", topic], environment: environment);
            Assert.True(described.ExitCode == 0, described.ToString());
            Assert.StartsWith($"Topic: {topic}\tTopicId: ", described.StandardOutput, StringComparison.Ordinal);
            Assert.Equal("", described.StandardError);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
