using Gregor.Protocol.Errors;

namespace Gregor.Broker.Partitions;

/// <summary>What Produce reports for one partition.</summary>
public readonly record struct AppendResult(ErrorCode Error, long BaseOffset, long LogAppendTime, long LogStartOffset, string? ErrorMessage)
{
    public static AppendResult Failed(ErrorCode error, string? message, long logStartOffset = -1) =>
        new(error, -1, -1, logStartOffset, message);
}
