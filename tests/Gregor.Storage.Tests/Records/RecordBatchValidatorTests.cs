using System.Buffers.Binary;
using System.Text;
using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Records;

public class RecordBatchValidatorTests
{
    private static readonly BatchValidationOptions Options = new() { MaxBatchBytes = 16 << 20, MaxDecompressedBytes = 4 << 20 };

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void EveryCodecRoundTrips(CompressionType codec)
    {
        var builder = new RecordBatchBuilder(codec);
        for (var i = 0; i < 500; i++)
        {
            builder.Append(1000 + i, Encoding.UTF8.GetBytes($"key-{i}"), i % 7 == 0 ? null : Encoding.UTF8.GetBytes(new string('v', i % 300)),
                i % 3 == 0 ? [new RecordHeader("h", [1, 2]), new RecordHeader("n", null)] : null);
        }
        var batch = builder.Build(baseOffset: 42);
        Assert.Equal(codec, RecordBatch.Compression(batch));
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(batch, Options, out var message));
        Assert.Null(message);
        var records = Batches.Records(batch);
        Assert.Equal(500, records.Count);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(42 + i, records[i].Offset);
            Assert.Equal($"key-{i}", records[i].Key);
            Assert.Equal(i % 7 == 0 ? null : new string('v', i % 300), records[i].Value);
        }
    }

    [Fact]
    public void SnappyWithoutXerialFramingIsReadAsRawSnappy()
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("hello snappy ", 100)));
        var compressed = Snappier.Snappy.CompressToArray(raw);
        Assert.True(Compression.TryDecompress(CompressionType.Snappy, compressed, 1 << 20, out var output, out var length, out var error), error);
        Assert.Equal(raw, output.AsSpan(0, length).ToArray());
    }

    [Fact]
    public void Lz4UsesTheFrameFormatMagic()
    {
        var compressed = Compression.Compress(CompressionType.Lz4, new byte[1000]);
        Assert.Equal(0x184D2204u, BinaryPrimitives.ReadUInt32LittleEndian(compressed));
    }

    [Fact]
    public void CorruptCrcIsRefused()
    {
        var batch = Batches.Make(3, 10, 1000);
        batch[^1] ^= 0x40;
        Assert.Equal(RecordValidationError.CorruptMessage, RecordBatchValidator.Validate(batch, Options, out var message));
        Assert.Contains("CRC", message);
    }

    [Fact]
    public void LengthFieldBeyondTheBytesIsRefused()
    {
        var batch = Batches.Make(3, 10, 1000);
        Assert.Equal(RecordValidationError.CorruptMessage, RecordBatchValidator.Validate(batch.AsSpan(0, batch.Length - 1), Options, out _));
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), 20);
        Assert.Equal(RecordValidationError.CorruptMessage, RecordBatchValidator.Validate(batch, Options, out _));
    }

    [Fact]
    public void RecordLengthInsideTheBatchIsChecked()
    {
        var batch = Batches.Make(2, 10, 1000);
        // First record's length varint: make it claim more bytes than remain, then fix the CRC.
        batch[RecordBatch.RecordsOffset] = 0x7E;
        RecordBatch.WriteCrc(batch);
        Assert.Equal(RecordValidationError.CorruptMessage, RecordBatchValidator.Validate(batch, Options, out _));
    }

    [Fact]
    public void RecordCountMustMatchRecordsPresent()
    {
        var batch = Batches.Make(3, 10, 1000);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatch.RecordsCountOffset), 2);
        RecordBatch.WriteCrc(batch);
        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(batch, Options, out _));
    }

    [Fact]
    public void MagicOtherThanTwoIsRefused()
    {
        var batch = Batches.Make(1, 10, 1000);
        batch[RecordBatch.MagicOffset] = 1;
        Assert.Equal(RecordValidationError.UnsupportedMagic, RecordBatchValidator.Validate(batch, Options, out _));
    }

    [Fact]
    public void UnknownCodecIsRefused()
    {
        var batch = Batches.Make(1, 10, 1000);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatch.AttributesOffset), 5);
        RecordBatch.WriteCrc(batch);
        Assert.Equal(RecordValidationError.UnsupportedCompressionType, RecordBatchValidator.Validate(batch, Options, out _));
    }

    [Fact]
    public void TimestampAboveMaxTimestampIsRefused()
    {
        var batch = Batches.Make(3, 10, 1000);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.MaxTimestampOffset), 1000);
        RecordBatch.WriteCrc(batch);
        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(batch, Options, out _));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void CompressionBombIsRefused(CompressionType codec)
    {
        // 16 MiB of one repeated record inflates far beyond the 4 MiB cap from a few KiB.
        var builder = new RecordBatchBuilder(codec);
        var value = new byte[64 * 1024];
        for (var i = 0; i < 256; i++)
        {
            builder.Append(1000, null, value);
        }
        var batch = builder.Build();
        Assert.True(batch.Length < 1 << 20, $"bomb is {batch.Length} bytes");
        Assert.Equal(RecordValidationError.RecordTooLarge, RecordBatchValidator.Validate(batch, Options, out var message));
        Assert.Contains("limit", message);
    }

    [Fact]
    public void SeveralBatchesAreEachValidated()
    {
        var a = Batches.Make(2, 10, 1000);
        var b = Batches.Make(2, 10, 1000);
        b[^2] ^= 1;
        var both = a.Concat(b).ToArray();
        Assert.Equal(RecordValidationError.CorruptMessage, RecordBatchValidator.Validate(both, Options, out var message));
        Assert.Contains($"byte {a.Length}", message);
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(a.Concat(a).ToArray(), Options, out _));
    }
}
