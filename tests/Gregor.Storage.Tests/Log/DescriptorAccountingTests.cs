namespace Gregor.Storage.Tests.Log;

[CollectionDefinition(nameof(DescriptorAccountingTests), DisableParallelization = true)]
public sealed class DescriptorAccountingCollection;

/// <summary>
/// <see cref="StorageDescriptors"/> must say what the log engine really holds: brokers budget the
/// open-files limit with it. Measured in /proc/self/fd, with no other test running in the process.
/// </summary>
[Collection(nameof(DescriptorAccountingTests))]
public sealed class DescriptorAccountingTests
{
    private static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    [Fact]
    public void A_new_partition_holds_PerNewPartition_descriptors_and_counts_them()
    {
        using var f = new LogFixture();
        var beforeFds = OpenDescriptors();
        var beforeCount = StorageDescriptors.Open;

        for (var p = 1; p <= 10; p++)
        {
            f.Manager.GetOrCreateLog(new TopicPartition("fds", p));
        }

        Assert.Equal(10 * StorageDescriptors.PerNewPartition, OpenDescriptors() - beforeFds);
        Assert.Equal(10 * StorageDescriptors.PerNewPartition, StorageDescriptors.Open - beforeCount);
        Assert.Equal(f.Manager.MaxOpenDescriptors - StorageDescriptors.Open, f.Manager.FreeDescriptors);

        for (var p = 1; p <= 10; p++)
        {
            f.Manager.DeleteLog(new TopicPartition("fds", p));
        }
        Assert.Equal(beforeFds, OpenDescriptors());
        Assert.Equal(beforeCount, StorageDescriptors.Open);
    }

    [Fact]
    public void Partitions_that_do_not_fit_the_budget_at_start_up_are_offline_and_the_others_load()
    {
        using var temp = new TempDir();
        var options = new LogManagerOptions { LogDirs = [temp.Path], BrokerId = 1, ClusterId = "c", StartBackgroundTasks = false };
        using (var first = new LogManager(options))
        {
            first.Startup();
            for (var p = 0; p < 5; p++)
            {
                first.GetOrCreateLog(new TopicPartition("t", p));
            }
        }

        using var second = new LogManager(options with { MaxOpenDescriptors = StorageDescriptors.Open + (3 * StorageDescriptors.PerSegment) });
        second.Startup();

        Assert.Equal([0, 1, 2], second.AllLogs.Select(l => l.TopicPartition.Partition).Order());
        Assert.Equal([3, 4], second.OfflinePartitions.Select(tp => tp.Partition).Order());
        Assert.Throws<InvalidOperationException>(() => second.GetOrCreateLog(new TopicPartition("t", 4)));
        second.DeleteLog(new TopicPartition("t", 4));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "t-4")));
        Assert.True(Directory.Exists(Path.Combine(temp.Path, "t-3")));
    }
}
