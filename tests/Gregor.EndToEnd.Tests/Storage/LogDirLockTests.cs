using System.Security.Cryptography;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>
/// A broker holds an exclusive lock on each of its log dirs: a second broker given the same
/// log.dirs stops at start-up (exit 1, naming the dir) before it reads or writes anything there,
/// and the first one carries on untouched.
/// </summary>
public sealed class LogDirLockTests
{
    private static Dictionary<string, string> Fingerprint(string dir) =>
        Directory.GetFiles(dir).ToDictionary(
            f => Path.GetFileName(f),
            f => $"{new FileInfo(f).Length}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}",
            StringComparer.Ordinal);

    [Fact]
    public async Task A_second_broker_on_a_log_dir_in_use_exits_and_leaves_it_alone()
    {
        await using var first = await BrokerProcess.StartAsync();
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = first.BootstrapServers }).Build();
        for (var i = 0; i < 10; i++)
        {
            await producer.ProduceAsync("locked", new Message<Null, string> { Value = $"before-{i}" });
        }
        var partitionDir = Path.Combine(first.LogDir, "locked-0");
        var before = Fingerprint(partitionDir);

        var (exitCode, output) = await BrokerProcess.RunToExitAsync(
            ["server", Path.Combine(RepositoryPaths.Root, "config", "server.properties"),
             "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={first.LogDir}"],
            TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 1, $"exit code {exitCode}:\n{output}");
        Assert.Contains(first.LogDir, output);
        Assert.Contains("in use", output);
        Assert.DoesNotContain("\n   at ", output);
        Assert.False(File.Exists(Path.Combine(first.LogDir, ".kafka_cleanshutdown")));
        Assert.Equal(before, Fingerprint(partitionDir));

        // The first broker still takes and serves records.
        for (var i = 0; i < 10; i++)
        {
            await producer.ProduceAsync("locked", new Message<Null, string> { Value = $"after-{i}" });
        }
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig
        {
            BootstrapServers = first.BootstrapServers,
            GroupId = "locked-check",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(new TopicPartitionOffset("locked", 0, 0));
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (values.Count < 20 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } result)
            {
                values.Add(result.Message.Value);
            }
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"before-{i}").Concat(Enumerable.Range(0, 10).Select(i => $"after-{i}")), values);
        Assert.False(first.HasExited);
    }
}
