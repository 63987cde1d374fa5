using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Tests.Log;

public class LogManagerTests
{
    [Fact]
    public void NewPartitionsGoToTheDirWithFewest()
    {
        using var f = new LogFixture(dirs: 3);
        for (var i = 0; i < 9; i++)
        {
            f.Manager.GetOrCreateLog(new TopicPartition("t", i));
        }
        foreach (var dir in f.Dirs)
        {
            Assert.Equal(3, Directory.GetDirectories(dir).Length);
            Assert.True(File.Exists(Path.Combine(dir, "meta.properties")));
        }
    }

    [Fact]
    public void StartupWritesKafkaFilesAndShutdownWritesTheMarkerLast()
    {
        using var f = new LogFixture();
        f.Log.Append(Batches.Make(3, 10, 1), 0);
        f.Log.UpdateHighWatermark(3);
        var dir = f.Dirs[0];
        Assert.False(File.Exists(Path.Combine(dir, ".kafka_cleanshutdown")));
        f.Manager.Shutdown();
        Assert.True(File.Exists(Path.Combine(dir, ".kafka_cleanshutdown")));
        Assert.Equal("0\n1\nevents 0 3\n", File.ReadAllText(Path.Combine(dir, "recovery-point-offset-checkpoint")));
        Assert.Equal("0\n1\nevents 0 0\n", File.ReadAllText(Path.Combine(dir, "log-start-offset-checkpoint")));
        Assert.Equal("0\n1\nevents 0 3\n", File.ReadAllText(Path.Combine(dir, "replication-offset-checkpoint")));
        Assert.Equal("0\n1\n0 0\n", File.ReadAllText(Path.Combine(dir, "events-0", "leader-epoch-checkpoint")));
        var meta = File.ReadAllText(Path.Combine(dir, "meta.properties"));
        Assert.Contains("broker.id=1\n", meta);
        Assert.Contains("cluster.id=test-cluster\n", meta);
        f.Manager.Startup();
        Assert.False(File.Exists(Path.Combine(dir, ".kafka_cleanshutdown")));
        Assert.Equal(3, f.Log.HighWatermark);
    }

    [Fact]
    public void MetaPropertiesOfAnotherBrokerStopsStartup()
    {
        using var temp = new TempDir();
        using (var first = new LogManager(new LogManagerOptions { LogDirs = [temp.Path], BrokerId = 1, ClusterId = "a", StartBackgroundTasks = false }))
        {
            // Stopped before the others start: a running manager holds the dir's lock.
            first.Startup();
        }
        var e = Assert.Throws<InvalidOperationException>(() =>
            new LogManager(new LogManagerOptions { LogDirs = [temp.Path], BrokerId = 2, ClusterId = "a", StartBackgroundTasks = false }).Startup());
        Assert.Contains("broker.id", e.Message);
        e = Assert.Throws<InvalidOperationException>(() =>
            new LogManager(new LogManagerOptions { LogDirs = [temp.Path], BrokerId = 1, ClusterId = "b", StartBackgroundTasks = false }).Startup());
        Assert.Contains("cluster.id", e.Message);
    }

    [Fact]
    public void UnwritableLogDirIsAStartupErrorNamingIt()
    {
        using var temp = new TempDir();
        var file = temp.Sub("not-a-dir");
        File.WriteAllText(file, "");
        var dir = Path.Combine(file, "logs");
        var e = Assert.Throws<InvalidOperationException>(() =>
            new LogManager(new LogManagerOptions { LogDirs = [dir], StartBackgroundTasks = false }).Startup());
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void DirectoriesThatAreNotPartitionsAreSkippedWithAWarning()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.Sub("lost+found"));
        Directory.CreateDirectory(temp.Sub("orders-2"));
        var logs = new ListLoggerProvider();
        using var manager = new LogManager(new LogManagerOptions { LogDirs = [temp.Path], StartBackgroundTasks = false, RecoveryThreadsPerDataDir = 2 },
            null, LoggerFactory.Create(b => b.AddProvider(logs)));
        manager.Startup();
        Assert.NotNull(manager.GetLog(new TopicPartition("orders", 2)));
        Assert.Single(manager.AllLogs);
        Assert.Contains(logs.Messages, m => m.StartsWith("Warning") && m.Contains("lost+found"));
    }

    [Fact]
    public void PerTopicConfigComesFromTheCallback()
    {
        using var temp = new TempDir();
        using var manager = new LogManager(new LogManagerOptions { LogDirs = [temp.Path], StartBackgroundTasks = false },
            topic => topic == "small" ? new LogConfig { SegmentBytes = 1234 } : null);
        manager.Startup();
        Assert.Equal(1234, manager.GetOrCreateLog(new TopicPartition("small", 0)).Config.SegmentBytes);
        Assert.Equal(LogConfig.Default.SegmentBytes, manager.GetOrCreateLog(new TopicPartition("big", 0)).Config.SegmentBytes);
    }
}
