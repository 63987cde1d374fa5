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

    [Fact]
    public async Task Dump_log_reads_the_indexes_of_a_live_segment_up_to_their_last_entry()
    {
        await using var broker = await BrokerProcess.StartAsync(["log.index.interval.bytes=1"]);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 0 }).Build();
        for (var i = 0; i < 3; i++)
        {
            await producer.ProduceAsync("live", new Message<string, string>
            {
                Key = $"key{i}",
                Value = $"value{i}",
                Timestamp = new Timestamp(1_700_000_000_000 + (i * 1000), TimestampType.CreateTime),
            });
        }
        // The broker keeps running: the active segment's indexes are preallocated, their tail all zeros.
        var segment = Path.Combine(broker.LogDir, "live-0", "00000000000000000000");
        Assert.True(new FileInfo($"{segment}.index").Length > 1024 * 1024);
        foreach (var sanity in new[] { false, true })
        {
            string[] args = ["dump-log", "--files", $"{segment}.index,{segment}.timeindex", .. sanity ? new[] { "--index-sanity-check" } : []];
            var (exitCode, output) = await BrokerProcess.RunToExitAsync(args, TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, output.Length > 4000 ? output[..4000] : output);
            Assert.DoesNotContain("MISMATCH", output);
            Assert.Contains($"{segment}.index passed sanity check", output);
            Assert.Contains($"{segment}.timeindex passed sanity check", output);
            var lines = output.Split('\n');
            // One entry for each batch after the first (index.interval.bytes=1), nothing from the zeroed tail.
            Assert.Equal(sanity ? 0 : 2, lines.Count(l => l.StartsWith("offset: ", StringComparison.Ordinal)));
            Assert.Equal(sanity ? 0 : 2, lines.Count(l => l.StartsWith("timestamp: ", StringComparison.Ordinal)));
        }
    }
}
