using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>`gregor dump-log` reads a real broker's segment files offline.</summary>
public sealed class DumpLogCommandTests
{
    [Fact]
    public async Task Dump_log_prints_batches_records_and_index_entries()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-dump-").FullName;
        try
        {
            await using (var broker = await BrokerProcess.StartAsync(["log.index.interval.bytes=1"], logDir))
            {
                using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 0 }).Build();
                for (var i = 0; i < 3; i++)
                {
                    await producer.ProduceAsync("dumped", new Message<string, string> { Key = $"key{i}", Value = $"value{i}" });
                }
                Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
            }
            var segment = Path.Combine(logDir, "dumped-0", "00000000000000000000");
            var (exitCode, output) = await BrokerProcess.RunToExitAsync(
                ["dump-log", "--files", $"{segment}.log,{segment}.index", "--print-data-log", "--index-sanity-check"], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output);
            Assert.Contains("baseOffset: 2 lastOffset: 2 count: 1", output);
            Assert.Contains("isValid: true", output);
            Assert.Contains("key: key1", output);
            Assert.Contains("value: value2", output);
            Assert.Contains("passed sanity check", output);
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }
}
