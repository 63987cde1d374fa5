namespace Gregor.Storage.Producers;

/// <summary>The verdict on an idempotent batch before it is appended.</summary>
public enum SequenceCheck
{
    /// <summary>Append it.</summary>
    Valid,

    /// <summary>A retry of a batch already in the log: answer with its original offsets, append nothing.</summary>
    Duplicate,

    /// <summary>Its epoch is older than the producer's current one: INVALID_PRODUCER_EPOCH.</summary>
    InvalidEpoch,

    /// <summary>A gap or reorder in the sequence: OUT_OF_ORDER_SEQUENCE_NUMBER.</summary>
    OutOfOrder,
}
