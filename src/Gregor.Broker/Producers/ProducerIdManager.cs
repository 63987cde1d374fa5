using System.Globalization;

namespace Gregor.Broker.Producers;

/// <summary>
/// Hands out producer ids that never repeat, across restarts, crashes and (in a cluster) brokers.
/// Ids come in blocks from a block source: on a single node the file `producer-id-block` in the
/// first log dir (<see cref="ForLogDir"/>), in ZooKeeper mode /latest_producer_id_block. A block is
/// reserved durably before its first id is handed out, so no id is ever given twice. Thread-safe
/// (one lock; a new block is reserved under it, once per <see cref="BlockSize"/> ids).
/// </summary>
public sealed class ProducerIdManager(Func<(long First, long Last)> reserveBlock)
{
    public const string FileName = "producer-id-block";
    public const long BlockSize = 1000;

    private readonly Lock _lock = new();
    private long _next;
    private long _last = -1;

    /// <summary>
    /// Blocks from the file in <paramref name="logDir"/>, which holds the end (exclusive) of the last
    /// reserved block; it is rewritten atomically (temp file, fsync, rename) before a block is used.
    /// </summary>
    public static ProducerIdManager ForLogDir(string logDir)
    {
        var path = Path.Combine(logDir, FileName);
        var next = File.Exists(path)
            ? long.Parse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture)
            : 0;
        return new ProducerIdManager(() =>
        {
            var first = next;
            next += BlockSize;
            Persist(path, next);
            return (first, next - 1);
        });
    }

    public long NextProducerId()
    {
        lock (_lock)
        {
            if (_next > _last)
            {
                (_next, _last) = reserveBlock();
            }
            return _next++;
        }
    }

    private static void Persist(string path, long blockEnd)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(blockEnd.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
