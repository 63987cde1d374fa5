using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gregor.Protocol.Records;

/// <summary>
/// Builds one v2 record batch. Used where batches are made rather than passed through: tests,
/// legacy conversion, compaction, control records. Not for the produce/fetch hot paths.
/// Offset deltas default to 0, 1, 2…; explicit deltas (compaction keeps the original ones)
/// must increase.
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly ArrayBufferWriter<byte> _records = new();
    private readonly CompressionType _compression;
    private readonly TimestampType _timestampType;
    private long _firstTimestamp = RecordBatch.NoTimestamp;
    private long _maxTimestamp = RecordBatch.NoTimestamp;
    private readonly List<(long Timestamp, int OffsetDelta, int Start, int End)> _pending = [];

    public RecordBatchBuilder(CompressionType compression = CompressionType.None, TimestampType timestampType = TimestampType.CreateTime)
    {
        _compression = compression;
        _timestampType = timestampType;
    }

    public long ProducerId { get; init; } = RecordBatch.NoProducerId;

    public short ProducerEpoch { get; init; } = -1;

    public int BaseSequence { get; init; } = RecordBatch.NoSequence;

    public bool IsTransactional { get; init; }

    public bool IsControl { get; init; }

    public int Count => _pending.Count;

    public void Append(long timestamp, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null, int offsetDelta = -1)
    {
        var encoded = new ArrayBufferWriter<byte>();
        var count = 0;
        if (headers is not null)
        {
            foreach (var h in headers)
            {
                var k = Encoding.UTF8.GetBytes(h.Key);
                WriteBytes(encoded, k, false);
                WriteBytes(encoded, h.Value ?? [], h.Value is null);
                count++;
            }
        }
        Append(timestamp, key ?? [], key is null, value ?? [], value is null, count, encoded.WrittenSpan, offsetDelta);
    }

    /// <summary>Appends a record; <paramref name="headers"/> are already encoded (as in <see cref="Record.Headers"/>).</summary>
    public void Append(long timestamp, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull,
        int headerCount, ReadOnlySpan<byte> headers, int offsetDelta = -1)
    {
        if (offsetDelta < 0)
        {
            offsetDelta = _pending.Count == 0 ? 0 : _pending[^1].OffsetDelta + 1;
        }
        else if (_pending.Count > 0 && offsetDelta <= _pending[^1].OffsetDelta)
        {
            throw new ArgumentException("offset deltas must increase", nameof(offsetDelta));
        }
        if (_pending.Count == 0)
        {
            _firstTimestamp = timestamp;
        }
        _maxTimestamp = Math.Max(_maxTimestamp, timestamp);
        // The record body is stored here without its length and timestamp delta; both depend on the base timestamp chosen at Build.
        var start = _records.WrittenCount;
        WriteVarLong(_records, offsetDelta);
        WriteBytes(_records, key, keyIsNull);
        WriteBytes(_records, value, valueIsNull);
        WriteVarLong(_records, headerCount);
        _records.Write(headers);
        _pending.Add((timestamp, offsetDelta, start, _records.WrittenCount));
    }

    /// <summary>
    /// Builds the batch. <paramref name="deleteHorizonMs"/>, when given, becomes the base timestamp
    /// and sets the delete-horizon attribute (KIP-534), as the log cleaner does for batches holding
    /// tombstones. <paramref name="lastOffsetDelta"/> may exceed the last record's delta (compacted batches).
    /// </summary>
    public byte[] Build(long baseOffset = 0, int partitionLeaderEpoch = -1, long? deleteHorizonMs = null, int? lastOffsetDelta = null, long? logAppendTime = null)
    {
        var baseTimestamp = deleteHorizonMs ?? (_pending.Count == 0 ? RecordBatch.NoTimestamp : _firstTimestamp);
        var body = new ArrayBufferWriter<byte>();
        Span<byte> tmp = stackalloc byte[10];
        foreach (var (timestamp, _, start, end) in _pending)
        {
            var rest = _records.WrittenSpan[start..end];
            var tsDelta = timestamp - baseTimestamp;
            var length = 1 + Varint.SizeOfVarLong(tsDelta) + rest.Length;
            body.Write(tmp[..Varint.WriteVarLong(tmp, length)]);
            body.Write<byte>([0]);
            body.Write(tmp[..Varint.WriteVarLong(tmp, tsDelta)]);
            body.Write(rest);
        }
        var payload = _compression == CompressionType.None ? body.WrittenSpan.ToArray() : Compression.Compress(_compression, body.WrittenSpan);
        var batch = new byte[RecordBatch.HeaderSize + payload.Length];
        var b = batch.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(b, baseOffset);
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatch.LengthOffset..], batch.Length - RecordBatch.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatch.PartitionLeaderEpochOffset..], partitionLeaderEpoch);
        b[RecordBatch.MagicOffset] = RecordBatch.CurrentMagic;
        var attributes = (short)_compression;
        if (_timestampType == TimestampType.LogAppendTime || logAppendTime is not null)
        {
            attributes |= RecordBatch.TimestampTypeMask;
        }
        if (IsTransactional)
        {
            attributes |= RecordBatch.TransactionalFlag;
        }
        if (IsControl)
        {
            attributes |= RecordBatch.ControlFlag;
        }
        if (deleteHorizonMs is not null)
        {
            attributes |= RecordBatch.DeleteHorizonFlag;
        }
        BinaryPrimitives.WriteInt16BigEndian(b[RecordBatch.AttributesOffset..], attributes);
        var lastDelta = lastOffsetDelta ?? (_pending.Count == 0 ? 0 : _pending[^1].OffsetDelta);
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatch.LastOffsetDeltaOffset..], lastDelta);
        BinaryPrimitives.WriteInt64BigEndian(b[RecordBatch.BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(b[RecordBatch.MaxTimestampOffset..], logAppendTime ?? _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(b[RecordBatch.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(b[RecordBatch.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatch.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(b[RecordBatch.RecordsCountOffset..], _pending.Count);
        payload.CopyTo(b[RecordBatch.RecordsOffset..]);
        RecordBatch.WriteCrc(b);
        return batch;
    }

    private static void WriteVarLong(IBufferWriter<byte> w, long v)
    {
        var span = w.GetSpan(10);
        w.Advance(Varint.WriteVarLong(span, v));
    }

    private static void WriteBytes(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes, bool isNull)
    {
        WriteVarLong(w, isNull ? -1 : bytes.Length);
        if (!isNull)
        {
            w.Write(bytes);
        }
    }
}
