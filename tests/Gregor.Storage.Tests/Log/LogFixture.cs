using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Tests.Log;

/// <summary>A log manager over temp dirs with a manual clock and no background tasks; reopen simulates restarts.</summary>
internal sealed class LogFixture : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly int _dirs;

    public LogFixture(LogConfig? config = null, int dirs = 1)
    {
        Config = config ?? new LogConfig();
        _dirs = dirs;
        Manager = Open();
    }

    public LogConfig Config { get; set; }

    public ManualTime Time { get; } = new();

    public ListLoggerProvider Logs { get; } = new();

    public LogManager Manager { get; private set; }

    public IReadOnlyList<string> Dirs => Enumerable.Range(0, _dirs).Select(i => _temp.Sub("logs" + i)).ToList();

    public static readonly TopicPartition Tp = new("events", 0);

    public PartitionLog Log => Manager.GetOrCreateLog(Tp);

    public string PartitionDir => Log.Directory;

    private LogManager Open()
    {
        var factory = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        var manager = new LogManager(new LogManagerOptions
        {
            LogDirs = Dirs,
            BrokerId = 1,
            ClusterId = "test-cluster",
            StartBackgroundTasks = false,
            DefaultConfig = Config,
        }, null, factory, Time);
        manager.Startup();
        return manager;
    }

    /// <summary>Stops (cleanly, or as a killed process would), runs <paramref name="whileDown"/> on the files, and starts again.</summary>
    public void Restart(bool clean = true, Action? whileDown = null)
    {
        if (clean)
        {
            Manager.Shutdown();
        }
        else
        {
            Manager.ShutdownAbruptly();
        }
        whileDown?.Invoke();
        Manager = Open();
    }

    public void Dispose()
    {
        Manager.Shutdown();
        _temp.Dispose();
    }
}
