using System.Net.Sockets;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Admin;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// A broker run under a low open-files limit (`prlimit --nofile`): the soft limit is raised to the
/// hard one and logged; partitions that would need more descriptors than are left are refused
/// (POLICY_VIOLATION, nothing created) or, at start-up, left offline while the rest is served;
/// running out of descriptors for connections slows accepting instead of spinning. The partition
/// counts exceed the budget whether a segment holds one descriptor or three.
/// </summary>
public sealed class OpenFilesLimitTests
{
    private const string LowLimit = "1024:1024";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_up_raises_the_soft_limit_to_the_hard_limit_and_logs_both()
    {
        await using var broker = await BrokerProcess.StartAsync(openFilesLimit: "1024:4096");

        var line = await broker.WaitForOutputAsync(@"open files: soft \d+ → \d+ \(hard \d+\)", Generous);
        Assert.Contains("→ 4096 (hard 4096)", line);
        var limits = File.ReadAllLines($"/proc/{broker.ProcessId}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        Assert.Matches(@"^Max open files\s+4096\s+4096\s", limits);
    }

    [Fact]
    public async Task Creating_partitions_past_the_descriptor_budget_is_policy_violation_and_creates_nothing()
    {
        await using var broker = await BrokerProcess.StartAsync(["num.partitions=1000"], openFilesLimit: LowLimit);
        using var admin = AdminClients.Create(broker.BootstrapServers);

        var big = AdminClients.NewTopicName("too-big");
        var one = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = big, NumPartitions = 1000, ReplicationFactor = 1 }]));
        var refused = Assert.Single(one.Results);
        Assert.Equal(ErrorCode.PolicyViolation, refused.Error.Code);
        Assert.Contains("open-files limit", refused.Error.Reason);

        // Each topic alone could fit; together they cannot: the request is refused before any is created.
        var names = Enumerable.Range(0, 3).Select(i => AdminClients.NewTopicName($"together-{i}")).ToList();
        var three = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            names.Select(n => new TopicSpecification { Name = n, NumPartitions = 300, ReplicationFactor = 1 })));
        Assert.All(three.Results, r => Assert.Equal(ErrorCode.PolicyViolation, r.Error.Code));

        var small = AdminClients.NewTopicName("small");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = small, NumPartitions = 1, ReplicationFactor = 1 }]);
        var grow = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync(
            [new PartitionsSpecification { Topic = small, IncreaseTo = 1001 }]));
        Assert.Equal(ErrorCode.PolicyViolation, Assert.Single(grow.Results).Error.Code);

        // Auto-creation through Metadata takes num.partitions (1000 here) and is refused the same way.
        var auto = AdminClients.NewTopicName("auto");
        var metadata = await AdminClients.RoundTripAsync<MetadataRequest, MetadataResponse>(broker.Port,
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = auto }], AllowAutoTopicCreation = true }, version: 9);
        Assert.Equal((short)Gregor.Protocol.Errors.ErrorCode.PolicyViolation, Assert.Single(metadata.Topics).ErrorCode);

        var onDisk = Directory.GetDirectories(broker.LogDir).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(onDisk, d => d!.StartsWith(big, StringComparison.Ordinal) || names.Any(n => d.StartsWith(n, StringComparison.Ordinal)) || d.StartsWith(auto, StringComparison.Ordinal));
        Assert.DoesNotContain($"{small}-1", onDisk);

        // Still alive and serving: a topic that fits is created and takes records.
        var fits = AdminClients.NewTopicName("fits");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = fits, NumPartitions = 20, ReplicationFactor = 1 }]);
        await AdminClients.ProduceAsync(broker.BootstrapServers, fits, 3);
        Assert.Equal(20, admin.GetMetadata(fits, TimeSpan.FromSeconds(20)).Topics[0].Partitions.Count);
        Assert.False(broker.HasExited);
    }

    [Fact]
    public async Task More_than_10000_partitions_in_one_request_is_policy_violation()
    {
        await using var broker = await BrokerProcess.StartAsync();
        using var admin = AdminClients.Create(broker.BootstrapServers);

        var names = Enumerable.Range(0, 2).Select(i => AdminClients.NewTopicName($"huge-{i}")).ToList();
        var e = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            names.Select(n => new TopicSpecification { Name = n, NumPartitions = 5001, ReplicationFactor = 1 })));

        Assert.All(e.Results, r => Assert.Equal(ErrorCode.PolicyViolation, r.Error.Code));
        Assert.All(e.Results, r => Assert.Contains("10000", r.Error.Reason));
        Assert.DoesNotContain(Directory.GetDirectories(broker.LogDir), d => names.Any(n => Path.GetFileName(d).StartsWith(n, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Start_up_with_more_partitions_than_descriptors_serves_what_fits_and_logs_the_rest_offline()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-e2e-fd-").FullName;
        try
        {
            var topic = AdminClients.NewTopicName("many");
            await using (var first = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var admin = AdminClients.Create(first.BootstrapServers);
                await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1000, ReplicationFactor = 1 }],
                    new CreateTopicsOptions { RequestTimeout = TimeSpan.FromMinutes(5), OperationTimeout = TimeSpan.FromMinutes(5) });
                Assert.Equal(0, await first.StopAsync(TimeSpan.FromMinutes(2)));
            }

            await using var broker = await BrokerProcess.StartAsync(logDir: logDir, openFilesLimit: LowLimit);

            await broker.WaitForOutputAsync($@"Partition {Regex.Escape(topic)}-\d+ is offline until a restart: its 1 segments need \d+ file descriptors", Generous);
            using var client = AdminClients.Create(broker.BootstrapServers);
            var partitions = client.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics[0].Partitions;
            Assert.Equal(1000, partitions.Count);
            var online = partitions.Where(p => p.Leader == 0).Select(p => p.PartitionId).ToList();
            Assert.Contains(0, online);
            Assert.InRange(online.Count, 1, 999);
            await AdminClients.ProduceAsync(broker.BootstrapServers, topic, 3);
            Assert.False(broker.HasExited);
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task Out_of_descriptors_for_connections_the_accept_loop_backs_off_and_recovers()
    {
        await using var broker = await BrokerProcess.StartAsync(openFilesLimit: LowLimit);
        // One request first, so the code that serves it is loaded before descriptors run out.
        await AdminClients.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(broker.Port, new ApiVersionsRequest(), version: 0);

        var clients = new List<TcpClient>();
        try
        {
            // More than the broker can hold: those it cannot accept wait in the listen backlog.
            for (var i = 0; i < 1100; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", broker.Port);
                clients.Add(client);
            }
            await broker.WaitForOutputAsync("Accept failed", Generous);
            // A spinning accept loop logs a failure per attempt: thousands in the next two seconds.
            // This pause only gives such a loop room to show itself; a slow machine makes fewer
            // attempts, never more, so it cannot make the bound below fail.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        // Descriptors freed: a new connection is served again.
        var response = await AdminClients.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(broker.Port, new ApiVersionsRequest(), version: 0);
        Assert.Equal(0, response.ErrorCode);
        Assert.False(broker.HasExited);
        Assert.InRange(broker.Output.Count(l => l.Contains("Accept failed", StringComparison.Ordinal)), 1, 20);
    }
}
