using Gregor.Protocol.Records;

namespace Gregor.Storage;

/// <summary>Receives one whole v2 batch read from the log (valid only during the call).</summary>
public delegate void BatchVisitor(ReadOnlySpan<byte> batch);

/// <summary>Reads a partition's batches in offset order, for state rebuilt from the log (producer state, group offsets).</summary>
public static class LogScanner
{
    /// <summary>Visits every batch from the one containing <paramref name="fromOffset"/> (or the log start) to the log end; returns how many.</summary>
    public static int ScanBatches(PartitionLog log, long fromOffset, BatchVisitor visit)
    {
        var offset = Math.Max(fromOffset, log.LogStartOffset);
        var buffer = new byte[1024 * 1024];
        var visited = 0;
        while (offset < log.LogEndOffset)
        {
            LogReadResult read;
            try
            {
                read = log.Read(offset, buffer.Length, log.LogEndOffset, minOneBatch: true);
            }
            catch (OffsetOutOfRangeException)
            {
                break;
            }
            if (read.Region.IsEmpty)
            {
                break;
            }
            if (read.Region.Length > buffer.Length)
            {
                buffer = new byte[read.Region.Length];
            }
            var length = RandomAccess.Read(read.Region.Handle!, buffer.AsSpan(0, read.Region.Length), read.Region.Position);
            var bytes = buffer.AsSpan(0, length);
            var next = offset;
            while (bytes.Length >= RecordBatch.HeaderSize)
            {
                var size = RecordBatch.SizeInBytes(bytes);
                if (size > bytes.Length || size < RecordBatch.HeaderSize)
                {
                    break;
                }
                visit(bytes[..size]);
                visited++;
                next = RecordBatch.LastOffset(bytes) + 1;
                bytes = bytes[size..];
            }
            if (next <= offset)
            {
                break;
            }
            offset = next;
        }
        return visited;
    }
}
