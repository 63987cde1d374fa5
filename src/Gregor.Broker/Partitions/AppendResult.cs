using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;

namespace Gregor.Broker.Partitions;

/// <summary>
/// What Produce reports for one partition. <see cref="RecordErrors"/> names the records that made
/// the record set fail, when the fault was theirs (Produce v8+ record_errors); null otherwise.
/// <see cref="LastOffset"/> is the offset of the last record appended (-1 when nothing was): an
/// acks=all produce is answered once the high watermark is past it.
/// </summary>
public readonly record struct AppendResult(ErrorCode Error, long BaseOffset, long LogAppendTime, long LogStartOffset, string? ErrorMessage)
{
    public IReadOnlyList<RecordError>? RecordErrors { get; init; }

    public long LastOffset { get; init; } = -1;

    public static AppendResult Failed(ErrorCode error, string? message, long logStartOffset = -1) =>
        new(error, -1, -1, logStartOffset, message);
}
