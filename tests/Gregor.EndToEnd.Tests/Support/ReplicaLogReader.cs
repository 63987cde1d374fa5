using System.Text;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>One record of a replica's log: its offset and value (UTF-8), with the batch's leader epoch.</summary>
public readonly record struct LoggedRecord(long Offset, string? Value, int LeaderEpoch);

/// <summary>
/// Reads the records of one partition straight from a broker's segment files
/// (<c>&lt;log dir&gt;/&lt;topic&gt;-&lt;partition&gt;/*.log</c>, in base-offset order), as
/// <c>gregor dump-log</c> does. The broker may be writing: a batch that is not whole yet, or whose
/// CRC does not match (being written), ends the read; control batches are skipped.
/// </summary>
public static class ReplicaLogReader
{
    /// <summary>The partition's records, or null when the broker holds no directory for it.</summary>
    public static List<LoggedRecord>? Read(string logDir, string topic, int partition)
    {
        var directory = Path.Combine(logDir, $"{topic}-{partition}");
        if (!Directory.Exists(directory))
        {
            return null;
        }
        var segments = Directory.GetFiles(directory, "*" + LogFileNames.LogSuffix)
            .Where(f => f.EndsWith(LogFileNames.LogSuffix, StringComparison.Ordinal))
            .Select(f => (File: f, Base: LogFileNames.TryParseBaseOffset(f, out var b) ? b : -1))
            .Where(s => s.Base >= 0)
            .OrderBy(s => s.Base);
        var records = new List<LoggedRecord>();
        foreach (var (file, _) in segments)
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            catch (FileNotFoundException)
            {
                continue; // deleted (retention, truncation) since it was listed
            }
            if (!ReadSegment(bytes, records))
            {
                break;
            }
        }
        return records;
    }

    /// <summary>Appends the segment's records; false when it ended on a batch that is not whole and valid.</summary>
    private static bool ReadSegment(byte[] log, List<LoggedRecord> records)
    {
        var position = 0;
        while (position < log.Length)
        {
            var span = log.AsSpan(position);
            if (span.Length < RecordBatch.HeaderSize)
            {
                return false;
            }
            var size = (long)RecordBatch.BatchLength(span) + RecordBatch.LogOverhead;
            if (RecordBatch.Magic(span) != RecordBatch.CurrentMagic || size < RecordBatch.HeaderSize || size > span.Length)
            {
                return false;
            }
            var batch = span[..(int)size];
            if (!RecordBatch.IsCrcValid(batch))
            {
                return false;
            }
            if (!RecordBatch.IsControl(batch))
            {
                AddRecords(batch, records);
            }
            position += (int)size;
        }
        return true;
    }

    private static void AddRecords(ReadOnlySpan<byte> batch, List<LoggedRecord> records)
    {
        if (!DecodedRecords.TryDecode(batch, 256 * 1024 * 1024, out var decoded, out var error))
        {
            throw new InvalidDataException($"a batch at offset {RecordBatch.BaseOffset(batch)} does not decode: {error}");
        }
        using (decoded)
        {
            var baseOffset = RecordBatch.BaseOffset(batch);
            var epoch = RecordBatch.PartitionLeaderEpoch(batch);
            var reader = new RecordReader(decoded.Span);
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out error))
                {
                    throw new InvalidDataException($"a record of the batch at offset {baseOffset} does not decode: {error}");
                }
                records.Add(new LoggedRecord(baseOffset + record.OffsetDelta, record.ValueIsNull ? null : Encoding.UTF8.GetString(record.Value), epoch));
            }
        }
    }
}
