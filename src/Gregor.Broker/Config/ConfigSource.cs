namespace Gregor.Broker.Config;

/// <summary>
/// Where a described config value comes from. The numeric values are Kafka's
/// <c>ConfigSource</c> ids in DescribeConfigs responses (v1+).
/// </summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,

    /// <summary>A topic-level override (Kafka: DYNAMIC_TOPIC_CONFIG / TOPIC_CONFIG).</summary>
    DynamicTopicConfig = 1,

    /// <summary>Set for this broker through AlterConfigs.</summary>
    DynamicBrokerConfig = 2,

    /// <summary>Set for all brokers through AlterConfigs.</summary>
    DynamicDefaultBrokerConfig = 3,

    /// <summary>Set in <c>server.properties</c> or with <c>--override</c>.</summary>
    StaticBrokerConfig = 4,

    /// <summary>Not set anywhere: the built-in default.</summary>
    DefaultConfig = 5,

    DynamicBrokerLoggerConfig = 6,
    ClientMetricsConfig = 7,
    GroupConfig = 8,
}
