using System.Buffers.Binary;
using Gregor.Broker.Fetching;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.Broker.Tests.Fetching;

/// <summary>
/// Records converted for old consumers as they are sent: exactly the declared number of bytes,
/// whole messages in offset order, a last message cut where the declared size ends, and a filling
/// that consumers take for a partial message where the conversion ends early.
/// </summary>
public sealed class DownConvertedRecordsTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    private static byte[] Batch(long baseOffset, int records, CompressionType codec = CompressionType.None, int valueSize = 10)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < records; i++)
        {
            builder.Append(1_000 + i, null, new byte[valueSize]);
        }
        return builder.Build(baseOffset);
    }

    private (DownConvertedRecords Records, byte[] Bytes, string? Failure) Convert(params byte[][] batches)
    {
        File.WriteAllBytes(_path, [.. batches.SelectMany(b => b)]);
        using var handle = File.OpenHandle(_path);
        var records = new DownConvertedRecords(new FileRegion(handle, _path, 0, batches.Sum(b => b.Length)), magic: 1);
        var bytes = new List<byte>();
        using var reader = records.OpenReader();
        while (reader.TryRead(out var chunk))
        {
            bytes.AddRange(chunk.ToArray());
        }
        Assert.Equal(records.Memory.Length, bytes.Count);
        Assert.Equal(bytes, records.Memory.ToArray()); // converted whole on demand, the same bytes
        return (records, [.. bytes], reader.Failure);
    }

    /// <summary>The offsets of the whole messages and what follows them.</summary>
    private static (List<long> Offsets, byte[] Tail) Messages(byte[] set)
    {
        var offsets = new List<long>();
        var at = 0;
        while (set.Length - at >= 12 && set.Length - at >= 12L + BinaryPrimitives.ReadInt32BigEndian(set.AsSpan(at + 8)))
        {
            offsets.Add(BinaryPrimitives.ReadInt64BigEndian(set.AsSpan(at)));
            at += 12 + BinaryPrimitives.ReadInt32BigEndian(set.AsSpan(at + 8));
        }
        return (offsets, set[at..]);
    }

    [Fact]
    public void A_first_batch_larger_once_converted_is_sent_whole()
    {
        var (records, bytes, failure) = Convert(Batch(0, 20));
        Assert.True(records.Memory.Length > Batch(0, 20).Length); // legacy messages of small records are larger
        var (offsets, rest) = Messages(bytes);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), offsets);
        Assert.Empty(rest);
        Assert.Null(failure);
    }

    [Fact]
    public void Output_past_the_stored_size_is_cut_in_a_partial_last_message()
    {
        // Each batch converted is larger than it is stored, but smaller than both.
        var first = Batch(0, 20, valueSize: 100);
        var second = Batch(20, 20, valueSize: 100);
        var (records, bytes, failure) = Convert(first, second);
        Assert.Equal(first.Length + second.Length, records.Memory.Length);
        var (offsets, rest) = Messages(bytes);
        Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets);
        Assert.InRange(offsets.Count, 20, 39);
        Assert.NotEmpty(rest);
        Assert.Equal(offsets.Count, BinaryPrimitives.ReadInt64BigEndian(rest)); // the start of the next message
        Assert.Null(failure);
    }

    [Fact]
    public void A_batch_that_cannot_be_converted_ends_the_records_with_a_filling()
    {
        var good = Batch(0, 3);
        var bad = Batch(3, 50, CompressionType.Gzip);
        bad.AsSpan(RecordBatch.RecordsOffset + 10, 8).Fill(0xff); // the compressed payload no longer inflates
        var (records, bytes, failure) = Convert(good, bad);
        Assert.Equal(good.Length + bad.Length, records.Memory.Length);
        var (offsets, rest) = Messages(bytes);
        Assert.Equal([0L, 1, 2], offsets);
        // The filling: offset -1 and a size that runs past the end, so consumers see a partial message.
        Assert.Equal(-1, BinaryPrimitives.ReadInt64BigEndian(rest));
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(rest.AsSpan(8)) + 12 > rest.Length);
        Assert.Contains("offset 3", failure);
    }

    [Fact]
    public void A_first_batch_that_cannot_be_converted_is_refused_up_front()
    {
        var bad = Batch(0, 50, CompressionType.Gzip);
        bad.AsSpan(RecordBatch.RecordsOffset + 10, 8).Fill(0xff);
        File.WriteAllBytes(_path, bad);
        using var handle = File.OpenHandle(_path);
        var e = Assert.Throws<InvalidDataException>(() => new DownConvertedRecords(new FileRegion(handle, _path, 0, bad.Length), magic: 0));
        Assert.Contains("offset 0", e.Message);
    }
}
