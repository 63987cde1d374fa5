using System.Text;

namespace Gregor.Storage.Checkpoints;

/// <summary>Writes a file so a crash leaves either the old or the new content: temp file, fsync, rename, fsync of the directory where possible.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string content) => WriteAllBytes(path, Encoding.UTF8.GetBytes(content), sync: true);

    /// <summary>
    /// Temp file renamed into place, so the final name never holds a half-written file. With
    /// <paramref name="sync"/> the file and then its directory are fsynced (durable across a
    /// crash); without, only the rename's atomicity while the machine runs is promised.
    /// </summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, bool sync)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
        {
            stream.Write(content);
            if (sync)
            {
                stream.Flush(flushToDisk: true);
            }
        }
        File.Move(temp, path, overwrite: true);
        if (sync)
        {
            FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>fsync of a file written before without it.</summary>
    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>fsync of a directory so a rename or create in it is durable (no-op where unsupported).</summary>
    public static void FlushDirectory(string dir)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            using var handle = File.OpenHandle(dir, FileMode.Open, FileAccess.Read);
            using var stream = new FileStream(handle, FileAccess.Read, 1);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse fsync on directories; the rename is still atomic.
        }
    }
}
