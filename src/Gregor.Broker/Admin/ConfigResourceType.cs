namespace Gregor.Broker.Admin;

/// <summary>Kafka's <c>ConfigResource.Type</c> ids, as sent in the config APIs.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}
