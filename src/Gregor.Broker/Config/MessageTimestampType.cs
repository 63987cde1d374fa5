namespace Gregor.Broker.Config;

/// <summary>
/// <c>message.timestamp.type</c>: keep the producer's timestamps (CreateTime) or stamp
/// batches with the broker's clock on append (LogAppendTime).
/// </summary>
public enum MessageTimestampType
{
    CreateTime,
    LogAppendTime,
}
