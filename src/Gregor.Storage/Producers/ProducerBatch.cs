namespace Gregor.Storage.Producers;

/// <summary>One appended batch of an idempotent producer: its sequence range and where it landed.</summary>
public readonly record struct ProducerBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long Timestamp);
