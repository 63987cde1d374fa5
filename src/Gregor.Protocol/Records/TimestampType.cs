namespace Gregor.Protocol.Records;

/// <summary>Attribute bit 3: 0 = CreateTime (set by the producer), 1 = LogAppendTime (set by the broker).</summary>
public enum TimestampType : byte
{
    CreateTime = 0,
    LogAppendTime = 1,
}
