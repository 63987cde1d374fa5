namespace Gregor.Protocol.Records;

/// <summary>
/// One record at fault in a refused record set: its position among the records of the set (the
/// first record of the first batch is 0) and why it was refused. Produce v8+ answers these as
/// record_errors (batch_index, batch_index_error_message).
/// </summary>
public readonly record struct RecordError(int BatchIndex, string Message);
