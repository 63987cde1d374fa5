using System.Text;
using Gregor.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Gregor.Storage.Tests;

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gregor-storage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime(long startMs = 100_000) : TimeProvider
{
    private long _nowMs = startMs;

    public long NowMs => Interlocked.Read(ref _nowMs);

    public void Advance(long ms) => Interlocked.Add(ref _nowMs, ms);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);
}

/// <summary>Collects log messages so tests can check what recovery reported.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public List<string> Messages { get; } = [];

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.Messages)
            {
                owner.Messages.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}

internal static class Batches
{
    /// <summary>A batch of <paramref name="count"/> records with keys "k{i}" and values of <paramref name="valueSize"/> bytes derived from <paramref name="seed"/>.</summary>
    public static byte[] Make(int count, int valueSize, long timestamp, int seed = 0, CompressionType codec = CompressionType.None)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < count; i++)
        {
            var value = new byte[valueSize];
            new Random(seed * 31 + i).NextBytes(value);
            builder.Append(timestamp + i, Encoding.UTF8.GetBytes($"k{seed}-{i}"), value);
        }
        return builder.Build();
    }

    /// <summary>
    /// A one-record batch of an idempotent producer at <paramref name="sequence"/>; every such batch
    /// has the same size (fixed-width key, <paramref name="valueSize"/> zero bytes).
    /// </summary>
    public static byte[] Idempotent(long producerId, int sequence, short epoch = 0, int valueSize = 100)
    {
        var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence };
        builder.Append(1000 + sequence, Encoding.UTF8.GetBytes($"p{producerId:D3}-{sequence:D6}"), new byte[valueSize]);
        return builder.Build();
    }

    public static byte[] Keyed(long timestamp, params (string Key, string? Value)[] records)
    {
        var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }
        return builder.Build();
    }

    /// <summary>Every (offset, key, value) of whole batches laid end to end.</summary>
    public static List<(long Offset, string? Key, string? Value)> Records(ReadOnlySpan<byte> batches)
    {
        var result = new List<(long, string?, string?)>();
        var position = 0;
        while (position < batches.Length)
        {
            var batch = batches.Slice(position, RecordBatch.SizeInBytes(batches[position..]));
            Assert.True(RecordBatch.IsCrcValid(batch));
            Assert.True(DecodedRecords.TryDecode(batch, 1 << 26, out var records, out var error), error);
            using (records)
            {
                var reader = new RecordReader(records.Span);
                while (!reader.IsAtEnd)
                {
                    Assert.True(reader.TryRead(out var r, out error), error);
                    result.Add((RecordBatch.BaseOffset(batch) + r.OffsetDelta,
                        r.KeyIsNull ? null : Encoding.UTF8.GetString(r.Key),
                        r.ValueIsNull ? null : Encoding.UTF8.GetString(r.Value)));
                }
            }
            position += batch.Length;
        }
        return result;
    }
}
