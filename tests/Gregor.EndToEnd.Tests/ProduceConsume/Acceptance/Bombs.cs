using System.Buffers.Binary;
using System.IO.Compression;
using Gregor.Protocol.Records;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Builds compressed v2 batches whose single record inflates to 1 GiB: a record header that declares
/// a value of about 1 GiB, then zeros. zstd and gzip are compressed as a stream; lz4 and snappy from
/// one shared 1 GiB buffer of zeros (their formats cap the ratio at about 255:1 and 21:1, so those
/// bombs are larger on the wire).
/// </summary>
internal static class Bombs
{
    public const int InflatedSize = 1 << 30;

    private static readonly Lazy<byte[]> Inflated = new(() =>
    {
        var buffer = GC.AllocateUninitializedArray<byte>(InflatedSize);
        Array.Clear(buffer);
        var prefix = RecordPrefix();
        prefix.CopyTo(buffer, 0);
        return buffer;
    });

    /// <summary>Record length, attributes, timestamp delta, offset delta, null key, value length (varints).</summary>
    private static byte[] RecordPrefix()
    {
        var valueLength = InflatedSize - 32;
        var body = new List<byte> { 0, 0, 0 };
        body.AddRange(ZigZag(-1));
        body.AddRange(ZigZag(valueLength));
        var bodyLength = body.Count + valueLength + 1;
        return [.. ZigZag(bodyLength), .. body];
    }

    private static byte[] ZigZag(long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        var bytes = new List<byte>();
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }
        bytes.Add((byte)v);
        return [.. bytes];
    }

    public static byte[] Payload(CompressionType codec)
    {
        switch (codec)
        {
            case CompressionType.Gzip:
                return Stream(s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            case CompressionType.Zstd:
                return Stream(s => new ZstdSharp.CompressionStream(s, 19, leaveOpen: true));
            default:
                return Compression.Compress(codec, Inflated.Value);
        }
    }

    private static byte[] Stream(Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressing = compressor(output))
        {
            compressing.Write(RecordPrefix());
            var zeros = new byte[1 << 20];
            var remaining = (long)InflatedSize - RecordPrefix().Length;
            while (remaining > 0)
            {
                var n = (int)Math.Min(zeros.Length, remaining);
                compressing.Write(zeros, 0, n);
                remaining -= n;
            }
        }
        return output.ToArray();
    }

    /// <summary>A v2 batch header (one record, the codec in the attributes) around a compressed payload, CRC-32C set.</summary>
    public static byte[] Batch(CompressionType codec, byte[] payload)
    {
        var batch = new byte[61 + payload.Length];
        var b = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(b, 0);
        BinaryPrimitives.WriteInt32BigEndian(b[8..], batch.Length - 12);
        BinaryPrimitives.WriteInt32BigEndian(b[12..], -1);
        b[16] = 2;
        BinaryPrimitives.WriteInt16BigEndian(b[21..], (short)codec);
        BinaryPrimitives.WriteInt32BigEndian(b[23..], 0);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt64BigEndian(b[27..], now);
        BinaryPrimitives.WriteInt64BigEndian(b[35..], now);
        BinaryPrimitives.WriteInt64BigEndian(b[43..], -1);
        BinaryPrimitives.WriteInt16BigEndian(b[51..], -1);
        BinaryPrimitives.WriteInt32BigEndian(b[53..], -1);
        BinaryPrimitives.WriteInt32BigEndian(b[57..], 1);
        payload.CopyTo(b[61..]);
        SetCrc(batch);
        return batch;
    }

    public static void SetCrc(byte[] batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), Crc32C.Compute(batch.AsSpan(21)));
}
