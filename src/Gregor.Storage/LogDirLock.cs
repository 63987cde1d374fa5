namespace Gregor.Storage;

/// <summary>
/// The exclusive lock on a log dir's ".lock" file, held from start-up to shutdown, so that a second
/// broker given the same log.dirs cannot open a dir in use: its recovery and its clean shutdown
/// would rewrite index files and the clean-shutdown marker under the running broker. Opening the
/// file with <see cref="FileShare.None"/> takes flock(2) LOCK_EX on Linux; the kernel drops it
/// when the process ends, however it ends, so a killed broker leaves no stale lock. The empty
/// file itself stays, as Kafka's does.
/// </summary>
internal sealed class LogDirLock : IDisposable
{
    private readonly FileStream _file;

    private LogDirLock(FileStream file) => _file = file;

    /// <exception cref="LogDirInUseException">Another process (or another log manager here) holds the lock.</exception>
    public static LogDirLock Acquire(string dir)
    {
        var path = Path.Combine(dir, LogFileNames.LockFile);
        try
        {
            return new LogDirLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new LogDirInUseException($"log dir {dir} is in use by another broker: {path} is locked ({e.Message})", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
