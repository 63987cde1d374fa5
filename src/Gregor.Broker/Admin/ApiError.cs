using Gregor.Protocol.Errors;

namespace Gregor.Broker.Admin;

/// <summary>An error code and the message that goes with it (null when Kafka sends none).</summary>
public sealed record ApiError(ErrorCode Error, string? Message)
{
    public static ApiError None { get; } = new(ErrorCode.None, null);

    public bool IsSuccess => Error == ErrorCode.None;
}
