namespace Gregor.Protocol.Records;

/// <summary>Why a batch was refused; the produce path maps these onto Kafka error codes.</summary>
public enum RecordValidationError
{
    None = 0,

    /// <summary>CRC mismatch, bad lengths, truncated data: Kafka's CORRUPT_MESSAGE.</summary>
    CorruptMessage,

    /// <summary>Well-formed bytes with inconsistent contents (counts, offsets, timestamps), or a record a policy refuses: INVALID_RECORD.</summary>
    InvalidRecord,

    /// <summary>A CreateTime record timestamp outside message.timestamp.before/after.max.ms of the broker's clock: INVALID_TIMESTAMP.</summary>
    InvalidTimestamp,

    /// <summary>Unknown codec id: UNSUPPORTED_COMPRESSION_TYPE.</summary>
    UnsupportedCompressionType,

    /// <summary>A batch or its decompressed records exceed the limit: RECORD_TOO_LARGE / MESSAGE_TOO_LARGE.</summary>
    RecordTooLarge,

    /// <summary>Magic other than the one expected: UNSUPPORTED_FOR_MESSAGE_FORMAT / CORRUPT_MESSAGE.</summary>
    UnsupportedMagic,
}
