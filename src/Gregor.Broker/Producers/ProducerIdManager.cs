using System.Globalization;

namespace Gregor.Broker.Producers;

/// <summary>
/// Hands out producer ids that never repeat, across restarts and crashes. Ids are reserved in
/// blocks: before the first id of a block is handed out, the end of the block is written (atomically:
/// temp file, fsync, rename) to `producer-id-block` in the first log dir, so a restart continues after
/// the last reserved block, never inside it. Thread-safe (one lock).
/// </summary>
public sealed class ProducerIdManager
{
    public const string FileName = "producer-id-block";
    public const long BlockSize = 1000;

    private readonly string _path;
    private readonly Lock _lock = new();
    private long _next;
    private long _blockEnd;

    public ProducerIdManager(string logDir)
    {
        _path = Path.Combine(logDir, FileName);
        _next = File.Exists(_path)
            ? long.Parse(File.ReadAllText(_path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture)
            : 0;
        _blockEnd = _next;
    }

    public long NextProducerId()
    {
        lock (_lock)
        {
            if (_next >= _blockEnd)
            {
                _blockEnd = _next + BlockSize;
                Persist(_blockEnd);
            }
            return _next++;
        }
    }

    private void Persist(long blockEnd)
    {
        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(blockEnd.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}
