using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Records;

public class LegacyConversionTests
{
    private static readonly BatchValidationOptions Options = BatchValidationOptions.Default;

    private static byte[] MessageSet(byte magic, params (string? Key, string? Value, long Timestamp)[] messages)
    {
        var w = new ArrayBufferWriter<byte>();
        var offset = 0;
        foreach (var (key, value, ts) in messages)
        {
            LegacyMessage.Write(w, offset++, magic, 0, ts, key is null ? default : Encoding.UTF8.GetBytes(key), key is null,
                value is null ? default : Encoding.UTF8.GetBytes(value), value is null);
        }
        return w.WrittenSpan.ToArray();
    }

    private static byte[] Wrapped(byte magic, CompressionType codec, byte[] inner, long timestamp)
    {
        var w = new ArrayBufferWriter<byte>();
        LegacyMessage.Write(w, 2, magic, (byte)codec, timestamp, default, true, Compression.Compress(codec, inner, magic == 0), false);
        return w.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void PlainMessageSetBecomesOneV2Batch(byte magic)
    {
        var set = MessageSet(magic, ("a", "1", 100), (null, "2", 200), ("c", null, 300));
        Assert.True(RecordValidationError.None == LegacyMessageConverter.TryConvertToV2(set, Options, out var batch, out var message), message);
        Assert.True(RecordValidationError.None == RecordBatchValidator.Validate(batch, Options, out message), message);
        Assert.Equal([(0L, "a", "1"), (1L, null, "2"), (2L, "c", null)], Batches.Records(batch));
        Assert.Equal(magic == 0 ? -1 : 300, RecordBatch.MaxTimestamp(batch));
    }

    [Theory]
    [InlineData(0, CompressionType.Gzip)]
    [InlineData(0, CompressionType.Snappy)]
    [InlineData(0, CompressionType.Lz4)]
    [InlineData(1, CompressionType.Gzip)]
    [InlineData(1, CompressionType.Snappy)]
    [InlineData(1, CompressionType.Lz4)]
    public void CompressedWrapperSetIsUnwrapped(byte magic, CompressionType codec)
    {
        var inner = MessageSet(magic, ("a", "1", 100), ("b", "2", 200), ("c", "3", 300));
        var set = Wrapped(magic, codec, inner, 300);
        Assert.True(RecordValidationError.None == LegacyMessageConverter.TryConvertToV2(set, Options, out var batch, out var message), message);
        Assert.Equal(codec, RecordBatch.Compression(batch!));
        Assert.Equal([(0L, "a", "1"), (1L, "b", "2"), (2L, "c", "3")], Batches.Records(batch));
    }

    [Fact]
    public void LegacyCrcMismatchIsRefused()
    {
        var set = MessageSet(1, ("a", "1", 100));
        set[^1] ^= 1;
        Assert.Equal(RecordValidationError.CorruptMessage, LegacyMessageConverter.TryConvertToV2(set, Options, out _, out var message));
        Assert.Contains("CRC", message);
    }

    [Fact]
    public void LegacyBombIsRefused()
    {
        var inner = MessageSet(1, ("a", new string('x', 2 << 20), 1));
        var set = Wrapped(1, CompressionType.Gzip, inner, 1);
        var small = new BatchValidationOptions { MaxDecompressedBytes = 1 << 20 };
        Assert.Equal(RecordValidationError.RecordTooLarge, LegacyMessageConverter.TryConvertToV2(set, small, out _, out _));
    }

    [Theory]
    [InlineData(0, CompressionType.None)]
    [InlineData(1, CompressionType.None)]
    [InlineData(0, CompressionType.Gzip)]
    [InlineData(1, CompressionType.Snappy)]
    [InlineData(1, CompressionType.Lz4)]
    [InlineData(0, CompressionType.Lz4)]
    public void V2BatchesConvertBackToLegacyAndAgain(byte magic, CompressionType codec)
    {
        var builder = new RecordBatchBuilder(codec);
        builder.Append(100, Encoding.UTF8.GetBytes("a"), Encoding.UTF8.GetBytes("1"));
        builder.Append(200, null, Encoding.UTF8.GetBytes("2"));
        builder.Append(300, Encoding.UTF8.GetBytes("c"), null);
        var batch = builder.Build(baseOffset: 1000);
        var legacy = LegacyMessageConverter.ConvertToLegacy(batch, magic);

        // Walk the legacy set: offsets as an old consumer computes them, magic, CRC.
        var offsets = new List<long>();
        var position = 0;
        while (position < legacy.Length)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(legacy.AsSpan(position + 8)) + 12;
            var m = legacy.AsSpan(position, size);
            Assert.Equal(magic, m[LegacyMessage.MagicOffset]);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(m[12..]), Crc32Ieee.Compute(m[16..]));
            Assert.Equal((int)codec, m[LegacyMessage.AttributesOffset] & 7);
            offsets.Add(BinaryPrimitives.ReadInt64BigEndian(m));
            position += size;
        }
        Assert.Equal(codec == CompressionType.None ? [1000L, 1001, 1002] : [1002L], offsets);

        Assert.True(RecordValidationError.None == LegacyMessageConverter.TryConvertToV2(legacy, Options, out var back, out var message), message);
        var records = Batches.Records(back);
        Assert.Equal([(0L, "a", "1"), (1L, null, "2"), (2L, "c", null)], records);
        if (magic == 1)
        {
            Assert.Equal(300, RecordBatch.MaxTimestamp(back));
        }
    }

    [Fact]
    public void V1WrapperInnerOffsetsAreRelative()
    {
        var builder = new RecordBatchBuilder(CompressionType.Gzip);
        builder.Append(1, null, [1]);
        builder.Append(2, null, [2]);
        var legacy = LegacyMessageConverter.ConvertToLegacy(builder.Build(baseOffset: 50), 1);
        Assert.Equal(51, BinaryPrimitives.ReadInt64BigEndian(legacy));
        var valueLength = BinaryPrimitives.ReadInt32BigEndian(legacy.AsSpan(LegacyMessage.V1HeaderSize + 4));
        var compressed = legacy.AsSpan(LegacyMessage.V1HeaderSize + 8, valueLength);
        Assert.True(Compression.TryDecompress(CompressionType.Gzip, compressed, 1 << 20, out var inner, out var length, out _));
        var first = BinaryPrimitives.ReadInt64BigEndian(inner);
        var secondAt = BinaryPrimitives.ReadInt32BigEndian(inner.AsSpan(8)) + 12;
        Assert.True(secondAt < length);
        Assert.Equal(0, first);
        Assert.Equal(1, BinaryPrimitives.ReadInt64BigEndian(inner.AsSpan(secondAt)));
    }
}
