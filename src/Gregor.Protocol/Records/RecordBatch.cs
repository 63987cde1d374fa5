using System.Buffers.Binary;

namespace Gregor.Protocol.Records;

/// <summary>
/// Record batch v2 header layout (big-endian):
/// <code>
///  0 baseOffset int64        8 batchLength int32 (bytes after this field)
/// 12 partitionLeaderEpoch int32   16 magic int8 (=2)   17 crc uint32 (CRC-32C of bytes 21..end)
/// 21 attributes int16 (bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon)
/// 23 lastOffsetDelta int32  27 baseTimestamp int64  35 maxTimestamp int64
/// 43 producerId int64       51 producerEpoch int16  53 baseSequence int32
/// 57 recordsCount int32     61 records (compressed as a whole when codec != none)
/// </code>
/// Legacy messages share the first 17 bytes' shape (offset 8, size 4, crc 4, magic at 16), so the
/// magic byte of any entry in a log or produce request sits at offset 16.
/// Every member here reads a header; nothing allocates.
/// </summary>
public static class RecordBatch
{
    public const int BaseOffsetOffset = 0;
    public const int LengthOffset = 8;
    public const int PartitionLeaderEpochOffset = 12;
    public const int MagicOffset = 16;
    public const int CrcOffset = 17;
    public const int AttributesOffset = 21;
    public const int LastOffsetDeltaOffset = 23;
    public const int BaseTimestampOffset = 27;
    public const int MaxTimestampOffset = 35;
    public const int ProducerIdOffset = 43;
    public const int ProducerEpochOffset = 51;
    public const int BaseSequenceOffset = 53;
    public const int RecordsCountOffset = 57;
    public const int RecordsOffset = 61;

    /// <summary>Size of the header, also the size of an empty batch.</summary>
    public const int HeaderSize = 61;

    /// <summary>Bytes before the length field's count starts (offset + length): the "log overhead".</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;

    public const short CompressionCodecMask = 0x07;
    public const short TimestampTypeMask = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
    public const short DeleteHorizonFlag = 0x40;

    public const long NoTimestamp = -1;
    public const long NoProducerId = -1;
    public const int NoSequence = -1;

    public static long BaseOffset(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b);

    public static int BatchLength(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[LengthOffset..]);

    /// <summary>Whole size of the entry on disk: length field + 12.</summary>
    public static int SizeInBytes(ReadOnlySpan<byte> b) => BatchLength(b) + LogOverhead;

    public static int PartitionLeaderEpoch(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[PartitionLeaderEpochOffset..]);

    public static byte Magic(ReadOnlySpan<byte> b) => b[MagicOffset];

    public static uint Crc(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32BigEndian(b[CrcOffset..]);

    public static short Attributes(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt16BigEndian(b[AttributesOffset..]);

    public static CompressionType Compression(ReadOnlySpan<byte> b) => (CompressionType)(Attributes(b) & CompressionCodecMask);

    public static TimestampType TimestampType(ReadOnlySpan<byte> b) =>
        (Attributes(b) & TimestampTypeMask) != 0 ? Records.TimestampType.LogAppendTime : Records.TimestampType.CreateTime;

    public static bool IsTransactional(ReadOnlySpan<byte> b) => (Attributes(b) & TransactionalFlag) != 0;

    public static bool IsControl(ReadOnlySpan<byte> b) => (Attributes(b) & ControlFlag) != 0;

    public static bool HasDeleteHorizon(ReadOnlySpan<byte> b) => (Attributes(b) & DeleteHorizonFlag) != 0;

    public static int LastOffsetDelta(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[LastOffsetDeltaOffset..]);

    public static long LastOffset(ReadOnlySpan<byte> b) => BaseOffset(b) + LastOffsetDelta(b);

    public static long BaseTimestamp(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[BaseTimestampOffset..]);

    public static long MaxTimestamp(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[MaxTimestampOffset..]);

    public static long ProducerId(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt64BigEndian(b[ProducerIdOffset..]);

    public static short ProducerEpoch(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt16BigEndian(b[ProducerEpochOffset..]);

    public static int BaseSequence(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[BaseSequenceOffset..]);

    public static int RecordsCount(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadInt32BigEndian(b[RecordsCountOffset..]);

    /// <summary>CRC-32C as it should be for this batch (bytes 21..end).</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[AttributesOffset..]);

    public static bool IsCrcValid(ReadOnlySpan<byte> batch) => ComputeCrc(batch) == Crc(batch);

    public static void SetBaseOffset(Span<byte> b, long baseOffset) => BinaryPrimitives.WriteInt64BigEndian(b, baseOffset);

    public static void SetPartitionLeaderEpoch(Span<byte> b, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(b[PartitionLeaderEpochOffset..], epoch);

    /// <summary>
    /// Sets LogAppendTime: timestamp type bit and maxTimestamp (both inside the CRC), then re-computes the CRC.
    /// </summary>
    public static void SetLogAppendTime(Span<byte> b, long timestamp)
    {
        var attributes = (short)(Attributes(b) | TimestampTypeMask);
        BinaryPrimitives.WriteInt16BigEndian(b[AttributesOffset..], attributes);
        BinaryPrimitives.WriteInt64BigEndian(b[MaxTimestampOffset..], timestamp);
        WriteCrc(b);
    }

    public static void WriteCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[CrcOffset..], ComputeCrc(batch));
}
