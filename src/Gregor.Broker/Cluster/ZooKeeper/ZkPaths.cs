namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>Kafka 3.x's znode layout (relative to the chroot, which the client applies).</summary>
public static class ZkPaths
{
    public const string Brokers = "/brokers";
    public const string BrokerIds = "/brokers/ids";
    public const string BrokerTopics = "/brokers/topics";
    public const string BrokerSequenceId = "/brokers/seqid";
    public const string Controller = "/controller";
    public const string ControllerEpoch = "/controller_epoch";
    public const string Config = "/config";
    public const string ConfigChanges = "/config/changes";
    public const string ConfigChangePrefix = "/config/changes/config_change_";
    public const string Admin = "/admin";
    public const string DeleteTopics = "/admin/delete_topics";
    public const string IsrChangeNotification = "/isr_change_notification";
    public const string LogDirEventNotification = "/log_dir_event_notification";
    public const string ClusterId = "/cluster/id";
    public const string LatestProducerIdBlock = "/latest_producer_id_block";
    public const string Consumers = "/consumers";

    /// <summary>Config entity types Kafka pre-creates under /config (ConfigType.ALL).</summary>
    public static readonly IReadOnlyList<string> ConfigEntityTypes = [ConfigTypes.Topics, ConfigTypes.Clients, ConfigTypes.Users, ConfigTypes.Brokers, ConfigTypes.Ips];

    /// <summary>The persistent paths a Kafka broker makes sure of at start-up (ZkData.PersistentZkPaths).</summary>
    public static readonly IReadOnlyList<string> PersistentPaths =
    [
        Consumers, BrokerIds, BrokerTopics, ConfigChanges, DeleteTopics, BrokerSequenceId,
        IsrChangeNotification, LatestProducerIdBlock, LogDirEventNotification,
        .. ConfigEntityTypes.Select(ConfigEntityType),
    ];

    public static string Broker(int brokerId) => $"{BrokerIds}/{brokerId}";

    public static string Topic(string topic) => $"{BrokerTopics}/{topic}";

    public static string TopicPartitions(string topic) => $"{BrokerTopics}/{topic}/partitions";

    public static string TopicPartition(string topic, int partition) => $"{BrokerTopics}/{topic}/partitions/{partition}";

    public static string PartitionState(string topic, int partition) => $"{BrokerTopics}/{topic}/partitions/{partition}/state";

    public static string ConfigEntityType(string entityType) => $"{Config}/{entityType}";

    public static string ConfigEntity(string entityType, string entityName) => $"{Config}/{entityType}/{entityName}";

    public static string DeleteTopic(string topic) => $"{DeleteTopics}/{topic}";
}

/// <summary>Config entity types as Kafka names their znodes (ConfigType).</summary>
public static class ConfigTypes
{
    public const string Topics = "topics";
    public const string Clients = "clients";
    public const string Users = "users";
    public const string Brokers = "brokers";
    public const string Ips = "ips";

    /// <summary>The entity name of the cluster-wide broker default config (/config/brokers/&lt;default&gt;).</summary>
    public const string DefaultEntity = "<default>";
}
