using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>
/// File descriptors per partition, as Kafka spends them: one per segment (its log file). The
/// index files are mapped and closed, so a partition with one segment holds one descriptor.
/// </summary>
public sealed class DescriptorTests
{
    private const int Partitions = 200;

    /// <summary>Descriptors of the broker process that point into <paramref name="dir"/>.</summary>
    private static List<string> DescriptorsUnder(BrokerProcess broker, string dir) =>
        new DirectoryInfo($"/proc/{broker.ProcessId}/fd").GetFileSystemInfos()
            .Select(fd =>
            {
                try
                {
                    return fd.LinkTarget;
                }
                catch (IOException)
                {
                    return null; // closed meanwhile
                }
            })
            .OfType<string>()
            .Where(target => target.StartsWith(dir + "/", StringComparison.Ordinal))
            .ToList();

    [Fact]
    public async Task A_partition_with_one_segment_holds_one_descriptor()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var before = Directory.GetFileSystemEntries($"/proc/{broker.ProcessId}/fd").Length;
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        await connection.SendAsync(new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = "many", NumPartitions = Partitions, ReplicationFactor = 1 }] }, 7, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, TimeSpan.FromSeconds(60));
        Assert.Equal(0, created.Topics[0].ErrorCode);

        // Beside the segments' .log files, the log dir holds one descriptor of its own: its .lock.
        var logDir = Path.GetFullPath(broker.LogDir);
        var held = DescriptorsUnder(broker, logDir).Where(t => t != Path.Combine(logDir, ".lock")).ToList();
        Assert.Equal(Partitions, held.Count);
        Assert.All(held, target => Assert.EndsWith(".log", target, StringComparison.Ordinal));
        var after = Directory.GetFileSystemEntries($"/proc/{broker.ProcessId}/fd").Length;
        Assert.InRange(after - before, Partitions, Partitions + 20);
    }
}
