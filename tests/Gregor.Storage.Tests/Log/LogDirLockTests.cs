namespace Gregor.Storage.Tests.Log;

/// <summary>A running log manager holds each of its log dirs: no other manager opens them until it stops.</summary>
public sealed class LogDirLockTests
{
    private static LogManager Manager(params string[] dirs) =>
        new(new LogManagerOptions { LogDirs = dirs, StartBackgroundTasks = false, ClusterId = "c" }, null, null, new ManualTime());

    [Fact]
    public void A_second_manager_cannot_open_a_log_dir_in_use_until_the_first_stops()
    {
        using var temp = new TempDir();
        var free = temp.Sub("free");
        var shared = temp.Sub("shared");
        var first = Manager(shared);
        first.Startup();
        first.GetOrCreateLog(LogFixture.Tp).Append(Batches.Make(3, 10, 1000), 0);

        var second = Manager(free, shared);
        var e = Assert.Throws<LogDirInUseException>(second.Startup);
        Assert.Contains(Path.GetFullPath(shared), e.Message);
        // Nothing of the failed start stays locked, and the first manager's dir is as it was.
        var third = Manager(free);
        third.Startup();
        third.Shutdown();
        Assert.False(File.Exists(Path.Combine(shared, LogFileNames.CleanShutdownFile)));
        Assert.Equal(3, first.GetLog(LogFixture.Tp)!.LogEndOffset);

        first.ShutdownAbruptly();
        second.Startup();
        Assert.Equal(3, second.GetLog(LogFixture.Tp)!.LogEndOffset);
        second.Shutdown();
        first.Startup();
        first.Shutdown();
    }
}
