using System.Buffers.Binary;
using Gregor.Protocol.Records;
using Gregor.Storage.Checkpoints;

namespace Gregor.Storage.Producers;

/// <summary>
/// A producer-state snapshot, <c>&lt;20-digit offset&gt;.snapshot</c> in the partition directory:
/// the idempotent producers as they stood after every batch below that offset.
/// <para>
/// Format (big-endian): "GPS1", version int16 (1), CRC-32C int32 of everything after it,
/// producer count int32, then per producer: producer id int64, epoch int16, batch count int8, and
/// per batch: first sequence int32, last sequence int32, first offset int64, last offset int64,
/// timestamp int64. A file that is short or fails its CRC (torn by a crash before it was fsynced)
/// is not used.
/// </para>
/// </summary>
internal static class ProducerSnapshotFile
{
    private static readonly byte[] Magic = "GPS1"u8.ToArray();
    private const short Version = 1;
    private const int HeaderSize = 10;

    /// <summary>The snapshots in <paramref name="directory"/>, oldest first.</summary>
    public static List<(long Offset, string Path)> List(string directory)
    {
        var found = new List<(long Offset, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + LogFileNames.ProducerSnapshotSuffix))
        {
            var name = System.IO.Path.GetFileName(path);
            if (name.Length == 20 + LogFileNames.ProducerSnapshotSuffix.Length && LogFileNames.TryParseBaseOffset(name, out var offset))
            {
                found.Add((offset, path));
            }
        }
        found.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return found;
    }

    /// <summary>
    /// Writes through a temp file renamed into place, so a reader never sees a half-written file
    /// under the final name while the process runs; fsynced only when <paramref name="sync"/>.
    /// </summary>
    public static void Write(string path, ICollection<ProducerEntry> producers, bool sync)
    {
        var size = HeaderSize + 4;
        foreach (var entry in producers)
        {
            size += 11 + (32 * entry.Batches.Count);
        }
        var file = new byte[size];
        var position = HeaderSize;
        void Int64(long v) { BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(position), v); position += 8; }
        void Int32(int v) { BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(position), v); position += 4; }
        void Int16(short v) { BinaryPrimitives.WriteInt16BigEndian(file.AsSpan(position), v); position += 2; }
        Int32(producers.Count);
        foreach (var entry in producers)
        {
            Int64(entry.ProducerId);
            Int16(entry.Epoch);
            file[position++] = (byte)entry.Batches.Count;
            foreach (var batch in entry.Batches)
            {
                Int32(batch.FirstSequence);
                Int32(batch.LastSequence);
                Int64(batch.FirstOffset);
                Int64(batch.LastOffset);
                Int64(batch.Timestamp);
            }
        }
        Magic.CopyTo(file, 0);
        BinaryPrimitives.WriteInt16BigEndian(file.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(6), Crc32C.Compute(file.AsSpan(HeaderSize)));
        AtomicFile.WriteAllBytes(path, file, sync);
    }

    /// <summary>fsync of a snapshot written without it; false when it is gone (deleted or truncated away meanwhile).</summary>
    public static bool TryFlush(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.Flush(flushToDisk: true);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The producers in a snapshot, or null (and why) when the file is unusable.</summary>
    public static List<ProducerEntry>? TryRead(string path, out string? problem)
    {
        problem = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            problem = e.Message;
            return null;
        }
        if (bytes.Length < HeaderSize + 4 || !bytes.AsSpan(0, 4).SequenceEqual(Magic) || BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(4)) != Version
            || BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(6)) != Crc32C.Compute(bytes.AsSpan(HeaderSize)))
        {
            problem = "bad header or CRC";
            return null;
        }
        try
        {
            ReadOnlySpan<byte> span = bytes.AsSpan(HeaderSize);
            var count = BinaryPrimitives.ReadInt32BigEndian(span);
            span = span[4..];
            var producers = new List<ProducerEntry>(Math.Min(count, bytes.Length / 11));
            for (var i = 0; i < count; i++)
            {
                var entry = new ProducerEntry(BinaryPrimitives.ReadInt64BigEndian(span), BinaryPrimitives.ReadInt16BigEndian(span[8..]));
                int batches = span[10];
                span = span[11..];
                for (var b = 0; b < batches; b++)
                {
                    entry.Add(entry.Epoch, new ProducerBatch(
                        BinaryPrimitives.ReadInt32BigEndian(span),
                        BinaryPrimitives.ReadInt32BigEndian(span[4..]),
                        BinaryPrimitives.ReadInt64BigEndian(span[8..]),
                        BinaryPrimitives.ReadInt64BigEndian(span[16..]),
                        BinaryPrimitives.ReadInt64BigEndian(span[24..])));
                    span = span[32..];
                }
                producers.Add(entry);
            }
            return producers;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            problem = "truncated body";
            return null;
        }
    }
}
