using System.Buffers;

namespace Gregor.Protocol.Records;

/// <summary>
/// The record bytes of one v2 batch: a slice of the batch when uncompressed, otherwise a pooled
/// buffer holding the decompressed bytes. Dispose returns the buffer; <see cref="Span"/> is
/// invalid afterwards.
/// </summary>
public readonly ref struct DecodedRecords
{
    private readonly byte[]? _rented;
    private readonly ReadOnlySpan<byte> _span;

    private DecodedRecords(byte[]? rented, ReadOnlySpan<byte> span)
    {
        _rented = rented;
        _span = span;
    }

    public ReadOnlySpan<byte> Span => _span;

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
        }
    }

    /// <summary>Decodes the records of <paramref name="batch"/> (a whole v2 batch).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> batch, int maxDecompressedSize, out DecodedRecords records, out string? error)
    {
        records = default;
        error = null;
        var codec = RecordBatch.Compression(batch);
        var payload = batch[RecordBatch.RecordsOffset..];
        if (codec == CompressionType.None)
        {
            records = new DecodedRecords(null, payload);
            return true;
        }
        if (!Compression.TryDecompress(codec, payload, maxDecompressedSize, out var buffer, out var length, out error))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }
        records = new DecodedRecords(buffer, buffer.AsSpan(0, length));
        return true;
    }
}
