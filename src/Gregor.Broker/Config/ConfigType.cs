namespace Gregor.Broker.Config;

/// <summary>
/// The type of a configuration key. The numeric values are Kafka's <c>ConfigType</c> ids as
/// sent in DescribeConfigs responses (v3+), so a value casts straight to the wire byte.
/// </summary>
public enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}
