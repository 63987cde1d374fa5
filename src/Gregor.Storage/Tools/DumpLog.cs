using System.Buffers.Binary;
using System.Text;
using Gregor.Protocol.Records;

namespace Gregor.Storage.Tools;

/// <summary>Options of <c>gregor dump-log</c>.</summary>
public sealed record DumpLogOptions
{
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>--print-data-log: every record of every batch.</summary>
    public bool PrintDataLog { get; init; }

    /// <summary>--index-sanity-check: for index files, only say whether they are consistent with the log.</summary>
    public bool IndexSanityCheck { get; init; }
}

/// <summary>
/// Offline dump of segment files: every batch of a ".log" (offsets, count, position, size, magic,
/// CRC and whether it matches, codec, producer fields, timestamps; records with
/// --print-data-log), and every entry of an ".index" / ".timeindex" with whether it agrees with the
/// ".log" beside it. Reads the files directly; safe to run on a stopped broker's log dir.
/// Returns 0 when everything read is valid, 1 otherwise.
/// </summary>
public static class DumpLog
{
    public static int Run(DumpLogOptions options, TextWriter output)
    {
        var ok = true;
        foreach (var file in options.Files)
        {
            output.WriteLine($"Dumping {file}");
            if (!File.Exists(file))
            {
                output.WriteLine($"File {file} does not exist");
                ok = false;
                continue;
            }
            if (file.EndsWith(LogFileNames.LogSuffix, StringComparison.Ordinal))
            {
                ok &= DumpSegment(file, options.PrintDataLog, output);
            }
            else if (file.EndsWith(LogFileNames.IndexSuffix, StringComparison.Ordinal))
            {
                ok &= DumpOffsetIndex(file, options.IndexSanityCheck, output);
            }
            else if (file.EndsWith(LogFileNames.TimeIndexSuffix, StringComparison.Ordinal))
            {
                ok &= DumpTimeIndex(file, options.IndexSanityCheck, output);
            }
            else
            {
                output.WriteLine($"Ignoring {file}: not a .log, .index or .timeindex file");
            }
        }
        return ok ? 0 : 1;
    }

    private readonly record struct BatchInfo(int Position, int Size, long BaseOffset, long LastOffset, long MaxTimestamp);

    /// <summary>Batch headers of a log file, stopping at the first that cannot be a batch.</summary>
    private static List<BatchInfo> ReadBatches(byte[] log)
    {
        var result = new List<BatchInfo>();
        var position = 0;
        while (log.Length - position >= RecordBatch.HeaderSize)
        {
            var span = log.AsSpan(position);
            var size = (long)RecordBatch.BatchLength(span) + RecordBatch.LogOverhead;
            if (RecordBatch.Magic(span) != RecordBatch.CurrentMagic || size < RecordBatch.HeaderSize || size > span.Length)
            {
                break;
            }
            result.Add(new BatchInfo(position, (int)size, RecordBatch.BaseOffset(span), RecordBatch.LastOffset(span), RecordBatch.MaxTimestamp(span)));
            position += (int)size;
        }
        return result;
    }

    private static bool DumpSegment(string file, bool printData, TextWriter output)
    {
        var log = File.ReadAllBytes(file);
        var ok = true;
        var position = 0;
        while (position < log.Length)
        {
            var span = log.AsSpan(position);
            if (span.Length < RecordBatch.HeaderSize)
            {
                output.WriteLine($"Found {span.Length} trailing bytes at position {position}: a torn batch");
                return false;
            }
            var size = (long)RecordBatch.BatchLength(span) + RecordBatch.LogOverhead;
            var magic = RecordBatch.Magic(span);
            if (magic != RecordBatch.CurrentMagic || size < RecordBatch.HeaderSize || size > span.Length)
            {
                output.WriteLine($"Invalid batch at position {position}: magic {magic}, size {size} with {span.Length} bytes left; stopping");
                return false;
            }
            var batch = span[..(int)size];
            var valid = RecordBatch.IsCrcValid(batch);
            ok &= valid;
            var timestampType = RecordBatch.TimestampType(batch);
            var sb = new StringBuilder();
            sb.Append($"baseOffset: {RecordBatch.BaseOffset(batch)} lastOffset: {RecordBatch.LastOffset(batch)} count: {RecordBatch.RecordsCount(batch)}");
            sb.Append($" position: {position} size: {size} magic: {magic} crc: {RecordBatch.Crc(batch)} isValid: {(valid ? "true" : "false")}");
            sb.Append($" compressCodec: {RecordBatch.Compression(batch).ToString().ToLowerInvariant()}");
            sb.Append($" producerId: {RecordBatch.ProducerId(batch)} producerEpoch: {RecordBatch.ProducerEpoch(batch)} baseSequence: {RecordBatch.BaseSequence(batch)}");
            sb.Append($" partitionLeaderEpoch: {RecordBatch.PartitionLeaderEpoch(batch)} isTransactional: {Bool(RecordBatch.IsTransactional(batch))} isControl: {Bool(RecordBatch.IsControl(batch))}");
            sb.Append($" timestampType: {timestampType} baseTimestamp: {RecordBatch.BaseTimestamp(batch)} maxTimestamp: {RecordBatch.MaxTimestamp(batch)}");
            if (RecordBatch.HasDeleteHorizon(batch))
            {
                sb.Append($" deleteHorizonMs: {RecordBatch.BaseTimestamp(batch)}");
            }
            output.WriteLine(sb.ToString());
            if (printData && valid)
            {
                ok &= PrintRecords(batch, output);
            }
            position += (int)size;
        }
        return ok;
    }

    private static bool PrintRecords(ReadOnlySpan<byte> batch, TextWriter output)
    {
        if (!DecodedRecords.TryDecode(batch, 256 * 1024 * 1024, out var records, out var error))
        {
            output.WriteLine($"| cannot decode records: {error}");
            return false;
        }
        using (records)
        {
            var baseOffset = RecordBatch.BaseOffset(batch);
            var baseTimestamp = RecordBatch.BaseTimestamp(batch);
            var reader = new RecordReader(records.Span);
            while (!reader.IsAtEnd)
            {
                if (!reader.TryRead(out var record, out error))
                {
                    output.WriteLine($"| corrupt record: {error}");
                    return false;
                }
                var headers = new StringBuilder();
                var hr = new RecordHeaderReader(record.Headers);
                while (hr.TryRead(out var key, out var value, out var valueIsNull))
                {
                    headers.Append(headers.Length == 0 ? "" : ",").Append(Encoding.UTF8.GetString(key)).Append('=').Append(valueIsNull ? "null" : Text(value));
                }
                output.WriteLine($"| offset: {baseOffset + record.OffsetDelta} timestamp: {baseTimestamp + record.TimestampDelta} size: {record.SizeInBytes}" +
                    $" keyLength: {(record.KeyIsNull ? -1 : record.Key.Length)} key: {(record.KeyIsNull ? "null" : Text(record.Key))}" +
                    $" valueLength: {(record.ValueIsNull ? -1 : record.Value.Length)} value: {(record.ValueIsNull ? "null" : Text(record.Value))}" +
                    $" headers: [{headers}]");
            }
        }
        return true;
    }

    /// <summary>UTF-8 text when it decodes cleanly and is printable, hex otherwise.</summary>
    private static string Text(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var s = new UTF8Encoding(false, true).GetString(bytes);
            if (!s.Any(char.IsControl))
            {
                return s;
            }
        }
        catch (DecoderFallbackException)
        {
        }
        return "0x" + Convert.ToHexString(bytes);
    }

    private static string Bool(bool b) => b ? "true" : "false";

    private static byte[]? SiblingLog(string indexFile, string suffix, TextWriter output)
    {
        var log = indexFile[..^suffix.Length] + LogFileNames.LogSuffix;
        if (File.Exists(log))
        {
            return File.ReadAllBytes(log);
        }
        output.WriteLine($"No log file {log} beside the index: entries cannot be checked");
        return null;
    }

    private static bool DumpOffsetIndex(string file, bool sanityOnly, TextWriter output)
    {
        var bytes = File.ReadAllBytes(file);
        LogFileNames.TryParseBaseOffset(file, out var baseOffset);
        var log = SiblingLog(file, LogFileNames.IndexSuffix, output);
        var batches = log is null ? null : ReadBatches(log);
        var problems = new List<string>();
        if (bytes.Length % 8 != 0)
        {
            problems.Add($"file length {bytes.Length} is not a multiple of 8");
        }
        long previousOffset = -1, previousPosition = -1;
        for (var i = 0; i + 8 <= bytes.Length; i += 8)
        {
            if (IsPreallocatedTail(bytes, i, 0))
            {
                break;
            }
            var offset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i));
            var position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 4));
            string? problem = null;
            if (offset <= previousOffset || position <= previousPosition)
            {
                problem = "not increasing";
            }
            else if (batches is not null)
            {
                var batch = batches.FirstOrDefault(b => b.Position == position);
                if (batch.Size == 0)
                {
                    problem = $"no batch starts at position {position}";
                }
                else if (batch.LastOffset != offset)
                {
                    problem = $"the batch at position {position} ends at offset {batch.LastOffset}";
                }
            }
            if (problem is not null)
            {
                problems.Add($"entry {i / 8} (offset {offset}, position {position}): {problem}");
            }
            if (!sanityOnly)
            {
                output.WriteLine($"offset: {offset} position: {position}{(problem is null ? "" : " MISMATCH: " + problem)}");
            }
            previousOffset = offset;
            previousPosition = position;
        }
        return Report(file, problems, output);
    }

    private static bool DumpTimeIndex(string file, bool sanityOnly, TextWriter output)
    {
        var bytes = File.ReadAllBytes(file);
        LogFileNames.TryParseBaseOffset(file, out var baseOffset);
        var log = SiblingLog(file, LogFileNames.TimeIndexSuffix, output);
        var batches = log is null ? null : ReadBatches(log);
        var problems = new List<string>();
        if (bytes.Length % 12 != 0)
        {
            problems.Add($"file length {bytes.Length} is not a multiple of 12");
        }
        long previousTimestamp = -1, previousOffset = -1;
        for (var i = 0; i + 12 <= bytes.Length; i += 12)
        {
            if (IsPreallocatedTail(bytes, i, 8))
            {
                break;
            }
            var timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i));
            var offset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 8));
            string? problem = null;
            if (timestamp <= previousTimestamp || offset < previousOffset)
            {
                problem = "not increasing";
            }
            else if (batches is not null)
            {
                var batch = batches.FirstOrDefault(b => b.BaseOffset <= offset && offset <= b.LastOffset);
                if (batch.Size == 0)
                {
                    problem = $"offset {offset} is in no batch of the log";
                }
                else
                {
                    var largest = batches.Where(b => b.LastOffset <= batch.LastOffset).Max(b => b.MaxTimestamp);
                    if (largest != timestamp)
                    {
                        problem = $"the largest timestamp up to offset {offset} is {largest}";
                    }
                }
            }
            if (problem is not null)
            {
                problems.Add($"entry {i / 12} (timestamp {timestamp}, offset {offset}): {problem}");
            }
            if (!sanityOnly)
            {
                output.WriteLine($"timestamp: {timestamp} offset: {offset}{(problem is null ? "" : " MISMATCH: " + problem)}");
            }
            previousTimestamp = timestamp;
            previousOffset = offset;
        }
        return Report(file, problems, output);
    }

    /// <summary>
    /// An entry past the first whose relative offset is 0 starts the zeroed, preallocated tail of
    /// a live segment's index (or of one left by a crash): entries after the first always have a
    /// larger offset. The dump stops there, as Kafka's DumpLogSegments does.
    /// </summary>
    private static bool IsPreallocatedTail(byte[] bytes, int entryStart, int relativeOffsetAt) =>
        entryStart > 0 && BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(entryStart + relativeOffsetAt)) == 0;

    private static bool Report(string file, List<string> problems, TextWriter output)
    {
        if (problems.Count == 0)
        {
            output.WriteLine($"{file} passed sanity check.");
            return true;
        }
        output.WriteLine($"{file} failed sanity check: {problems.Count} problem(s)");
        foreach (var p in problems)
        {
            output.WriteLine($"  {p}");
        }
        return false;
    }
}
