using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Config;

/// <summary>
/// The broker's static configuration: every key of <see cref="BrokerConfigDefinitions"/>,
/// parsed, validated and typed, with the derived values (listeners, log dirs, retention and
/// roll times) computed once. Immutable; build one with <see cref="Load"/> or
/// <see cref="FromProperties"/>. Keys without a typed property are read with <see cref="Get"/>.
/// Record equality is reference equality in practice (the value tables are compared by reference).
/// </summary>
public sealed partial record BrokerConfig
{
    private const long MillisPerMinute = 60L * 1000L;
    private const long MillisPerHour = 60L * MillisPerMinute;

    // Every catalog key → its typed value (the default when unset). Invariant: one entry per
    // key of BrokerConfigDefinitions.All, each value of the key's type or null.
    private readonly IReadOnlyDictionary<string, object?> _values;
    private readonly Lazy<IReadOnlyList<ListenerEndpoint>> _advertised;

    private BrokerConfig(IReadOnlyDictionary<string, object?> values, IReadOnlyDictionary<string, string> originals)
    {
        _values = values;
        OriginalProperties = originals;

        BrokerId = Int("broker.id");
        if (Get("node.id") is int nodeId && nodeId != BrokerId)
        {
            throw new ConfigException("node.id", "You must set `node.id` to the same value as `broker.id`.");
        }
        BrokerRack = Str("broker.rack");
        LogLevel = LogLevelParser.Parse(Str("log.level")!);
        NumNetworkThreads = Int("num.network.threads");
        NumIoThreads = Int("num.io.threads");
        BackgroundThreads = Int("background.threads");
        QueuedMaxRequests = Int("queued.max.requests");
        AutoCreateTopicsEnable = Bool("auto.create.topics.enable");
        DeleteTopicEnable = Bool("delete.topic.enable");
        ControlledShutdownEnable = Bool("controlled.shutdown.enable");
        ControlledShutdownMaxRetries = Int("controlled.shutdown.max.retries");
        ControlledShutdownRetryBackoffMs = Long("controlled.shutdown.retry.backoff.ms");

        SocketSendBufferBytes = Int("socket.send.buffer.bytes");
        SocketReceiveBufferBytes = Int("socket.receive.buffer.bytes");
        SocketRequestMaxBytes = Int("socket.request.max.bytes");
        SocketListenBacklogSize = Int("socket.listen.backlog.size");
        MaxConnections = Int("max.connections");
        QueuedMaxRequestBytes = Long("queued.max.request.bytes");
        if (QueuedMaxRequestBytes > 0 && QueuedMaxRequestBytes < SocketRequestMaxBytes)
        {
            throw new ConfigException("queued.max.request.bytes", Format("queued.max.request.bytes"),
                $"must be 0 or less (no bound) or at least socket.request.max.bytes ({SocketRequestMaxBytes})");
        }
        MaxConnectionsPerIp = Int("max.connections.per.ip");
        ConnectionsMaxIdleMs = Long("connections.max.idle.ms");

        var zk = Str("zookeeper.connect");
        ZooKeeperConnect = string.IsNullOrWhiteSpace(zk) ? null : ZooKeeperConnect.Parse(zk);
        ZooKeeperSessionTimeoutMs = Int("zookeeper.session.timeout.ms");
        ZooKeeperConnectionTimeoutMs = (int?)Get("zookeeper.connection.timeout.ms") ?? ZooKeeperSessionTimeoutMs;
        ZooKeeperMaxInFlightRequests = Int("zookeeper.max.in.flight.requests");

        LogDirs = ComputeLogDirs();
        NumPartitions = Int("num.partitions");
        DefaultReplicationFactor = Int("default.replication.factor");
        NumRecoveryThreadsPerDataDir = Int("num.recovery.threads.per.data.dir");
        LogSegmentBytes = Int("log.segment.bytes");
        RollMs = ComputeRollMs();
        RollJitterMs = (long?)Get("log.roll.jitter.ms") ?? MillisPerHour * Int("log.roll.jitter.hours");
        RetentionMs = ComputeRetentionMs();
        RetentionBytes = Long("log.retention.bytes");
        RetentionCheckIntervalMs = Long("log.retention.check.interval.ms");
        CleanupPolicy = CleanupPolicies.FromList(List("log.cleanup.policy"));
        LogIndexSizeMaxBytes = Int("log.index.size.max.bytes");
        LogIndexIntervalBytes = Int("log.index.interval.bytes");
        FlushIntervalMessages = Long("log.flush.interval.messages");
        FlushSchedulerIntervalMs = Long("log.flush.scheduler.interval.ms");
        FlushIntervalMs = (long?)Get("log.flush.interval.ms") ?? FlushSchedulerIntervalMs;
        FlushOffsetCheckpointIntervalMs = Int("log.flush.offset.checkpoint.interval.ms");
        FlushStartOffsetCheckpointIntervalMs = Int("log.flush.start.offset.checkpoint.interval.ms");
        SegmentDeleteDelayMs = Long("log.segment.delete.delay.ms");
        Preallocate = Bool("log.preallocate");
        MessageTimestampType = Enum.Parse<MessageTimestampType>(Str("log.message.timestamp.type")!);
        MessageTimestampDifferenceMaxMs = Long("log.message.timestamp.difference.max.ms");
        MessageDownconversionEnable = Bool("log.message.downconversion.enable");
        MessageMaxBytes = Int("message.max.bytes");
        CompressionType = Str("compression.type")!;

        LogCleanerEnable = Bool("log.cleaner.enable");
        LogCleanerThreads = Int("log.cleaner.threads");
        LogCleanerMinCleanableRatio = Double("log.cleaner.min.cleanable.ratio");
        LogCleanerDeleteRetentionMs = Long("log.cleaner.delete.retention.ms");
        LogCleanerMinCompactionLagMs = Long("log.cleaner.min.compaction.lag.ms");
        LogCleanerMaxCompactionLagMs = Long("log.cleaner.max.compaction.lag.ms");
        LogCleanerBackoffMs = Long("log.cleaner.backoff.ms");

        MinInSyncReplicas = Int("min.insync.replicas");
        UncleanLeaderElectionEnable = Bool("unclean.leader.election.enable");
        ReplicaLagTimeMaxMs = Long("replica.lag.time.max.ms");
        ReplicaFetchMaxBytes = Int("replica.fetch.max.bytes");
        ReplicaFetchWaitMaxMs = Int("replica.fetch.wait.max.ms");
        ReplicaFetchMinBytes = Int("replica.fetch.min.bytes");
        ReplicaFetchBackoffMs = Int("replica.fetch.backoff.ms");
        ReplicaFetchResponseMaxBytes = Int("replica.fetch.response.max.bytes");
        ReplicaSocketTimeoutMs = Int("replica.socket.timeout.ms");
        NumReplicaFetchers = Int("num.replica.fetchers");
        AutoLeaderRebalanceEnable = Bool("auto.leader.rebalance.enable");
        LeaderImbalanceCheckIntervalSeconds = Int("leader.imbalance.check.interval.seconds");
        LeaderImbalancePerBrokerPercentage = Int("leader.imbalance.per.broker.percentage");
        FetchMaxBytes = Int("fetch.max.bytes");

        OffsetsTopicNumPartitions = Int("offsets.topic.num.partitions");
        OffsetsTopicReplicationFactor = (short)Get("offsets.topic.replication.factor")!;
        OffsetsTopicSegmentBytes = Int("offsets.topic.segment.bytes");
        OffsetsRetentionMinutes = Int("offsets.retention.minutes");
        OffsetsRetentionCheckIntervalMs = Long("offsets.retention.check.interval.ms");
        OffsetsCommitTimeoutMs = Int("offsets.commit.timeout.ms");
        GroupMinSessionTimeoutMs = Int("group.min.session.timeout.ms");
        GroupMaxSessionTimeoutMs = Int("group.max.session.timeout.ms");
        GroupInitialRebalanceDelayMs = Int("group.initial.rebalance.delay.ms");
        GroupMaxSize = Int("group.max.size");
        if (GroupMaxSessionTimeoutMs < GroupMinSessionTimeoutMs)
        {
            throw new ConfigException("group.max.session.timeout.ms", Format("group.max.session.timeout.ms"),
                $"must be at least group.min.session.timeout.ms ({GroupMinSessionTimeoutMs})");
        }

        TransactionalIdExpirationMs = Int("transactional.id.expiration.ms");
        TransactionMaxTimeoutMs = Int("transaction.max.timeout.ms");
        TransactionStateLogNumPartitions = Int("transaction.state.log.num.partitions");
        TransactionStateLogReplicationFactor = (short)Get("transaction.state.log.replication.factor")!;
        TransactionStateLogMinIsr = Int("transaction.state.log.min.isr");
        ProducerIdExpirationMs = Int("producer.id.expiration.ms");
        ProducerIdExpirationCheckIntervalMs = Int("producer.id.expiration.check.interval.ms");

        ListenerSecurityProtocolMap = ListenerEndpoint.ParseProtocolMap("listener.security.protocol.map", Str("listener.security.protocol.map")!);
        EffectiveListeners = ComputeListeners();
        var advertisedTemplate = ComputeAdvertisedTemplate();
        _advertised = new(() => ResolveAdvertised(advertisedTemplate, System.Net.Dns.GetHostName()));
        AdvertisedListenersTemplate = advertisedTemplate;
    }

    /// <summary>The raw properties as given (file, then overrides), unknown keys included.</summary>
    public IReadOnlyDictionary<string, string> OriginalProperties { get; }

    /// <summary>True when <paramref name="key"/> was given in the file or an override.</summary>
    public bool IsSet(string key) => OriginalProperties.ContainsKey(key);

    /// <summary>The typed value of any catalog key (the default when unset; null when unset without default).</summary>
    /// <exception cref="KeyNotFoundException">Not a broker key.</exception>
    public object? Get(string key) => _values[key];

    // ----- Server basics -----
    public int BrokerId { get; }
    public string? BrokerRack { get; }

    /// <summary>Gregor-specific <c>log.level</c>.</summary>
    public LogLevel LogLevel { get; }
    public int NumNetworkThreads { get; }
    public int NumIoThreads { get; }
    public int BackgroundThreads { get; }
    public int QueuedMaxRequests { get; }
    public bool AutoCreateTopicsEnable { get; }
    public bool DeleteTopicEnable { get; }
    public bool ControlledShutdownEnable { get; }

    public int ControlledShutdownMaxRetries { get; }

    public long ControlledShutdownRetryBackoffMs { get; }

    // ----- Socket server -----
    public IReadOnlyDictionary<string, string> ListenerSecurityProtocolMap { get; }

    /// <summary><c>listeners</c>, else <c>PLAINTEXT://{host.name}:{port}</c>. An empty host binds all interfaces.</summary>
    public IReadOnlyList<ListenerEndpoint> EffectiveListeners { get; }

    /// <summary>
    /// What clients are told to connect to: <c>advertised.listeners</c>; else, when
    /// <c>listeners</c> is unset and a legacy <c>advertised.host.name</c>/<c>advertised.port</c>
    /// is, those; else <see cref="EffectiveListeners"/>. An empty host becomes this machine's
    /// host name (resolved on first use); a named host such as <c>localhost</c> is kept.
    /// </summary>
    public IReadOnlyList<ListenerEndpoint> EffectiveAdvertisedListeners => _advertised.Value;

    /// <summary>The advertised listeners before empty hosts are replaced (see <see cref="AdvertisedListenersFor"/>).</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedListenersTemplate { get; }

    /// <summary>The advertised listeners with empty hosts replaced by <paramref name="machineHostName"/>.</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedListenersFor(string machineHostName) =>
        ResolveAdvertised(AdvertisedListenersTemplate, machineHostName);

    public int SocketSendBufferBytes { get; }
    public int SocketReceiveBufferBytes { get; }
    public int SocketRequestMaxBytes { get; }
    public int SocketListenBacklogSize { get; }

    /// <summary>Gregor's default is 10000, not Kafka's unlimited.</summary>
    public int MaxConnections { get; }
    public long QueuedMaxRequestBytes { get; }
    public int MaxConnectionsPerIp { get; }
    public long ConnectionsMaxIdleMs { get; }

    // ----- ZooKeeper -----

    /// <summary>Parsed <c>zookeeper.connect</c>; null when unset (single node).</summary>
    public ZooKeeperConnect? ZooKeeperConnect { get; }
    public int ZooKeeperSessionTimeoutMs { get; }

    /// <summary><c>zookeeper.connection.timeout.ms</c>, else the session timeout.</summary>
    public int ZooKeeperConnectionTimeoutMs { get; }

    /// <summary><c>zookeeper.max.in.flight.requests</c>: the client's bound on unanswered requests (the controller's batched reads and writes wait on it).</summary>
    public int ZooKeeperMaxInFlightRequests { get; }

    // ----- Log -----

    /// <summary><c>log.dirs</c> if set, else <c>log.dir</c>, split at commas; never empty. Not checked for writability here.</summary>
    public IReadOnlyList<string> LogDirs { get; }
    public int NumPartitions { get; }
    public int DefaultReplicationFactor { get; }
    public int NumRecoveryThreadsPerDataDir { get; }
    public int LogSegmentBytes { get; }

    /// <summary><c>log.roll.ms</c> if set, else <c>log.roll.hours</c> × 3600000. At least 1.</summary>
    public long RollMs { get; }

    /// <summary><c>log.roll.jitter.ms</c> if set, else <c>log.roll.jitter.hours</c> × 3600000.</summary>
    public long RollJitterMs { get; }

    /// <summary>
    /// Retention age in ms; the smallest unit given wins: <c>log.retention.ms</c>, else
    /// <c>log.retention.minutes</c> × 60000, else <c>log.retention.hours</c> × 3600000. Any
    /// negative result is -1 (keep forever); 0 is rejected.
    /// </summary>
    public long RetentionMs { get; }

    /// <summary>Per partition; -1 means no size limit.</summary>
    public long RetentionBytes { get; }
    public long RetentionCheckIntervalMs { get; }
    public CleanupPolicy CleanupPolicy { get; }
    public int LogIndexSizeMaxBytes { get; }
    public int LogIndexIntervalBytes { get; }
    public long FlushIntervalMessages { get; }

    /// <summary><c>log.flush.interval.ms</c>, else <c>log.flush.scheduler.interval.ms</c>.</summary>
    public long FlushIntervalMs { get; }
    public long FlushSchedulerIntervalMs { get; }
    public int FlushOffsetCheckpointIntervalMs { get; }
    public int FlushStartOffsetCheckpointIntervalMs { get; }
    public long SegmentDeleteDelayMs { get; }
    public bool Preallocate { get; }
    public MessageTimestampType MessageTimestampType { get; }
    public long MessageTimestampDifferenceMaxMs { get; }
    public bool MessageDownconversionEnable { get; }

    /// <summary>Largest batch accepted: 1048588 (Kafka 3.x), not DESIGN.md's older 1000012.</summary>
    public int MessageMaxBytes { get; }
    public string CompressionType { get; }

    // ----- Log cleaner -----
    public bool LogCleanerEnable { get; }
    public int LogCleanerThreads { get; }
    public double LogCleanerMinCleanableRatio { get; }
    public long LogCleanerDeleteRetentionMs { get; }
    public long LogCleanerMinCompactionLagMs { get; }
    public long LogCleanerMaxCompactionLagMs { get; }
    public long LogCleanerBackoffMs { get; }

    // ----- Replication -----
    public int MinInSyncReplicas { get; }
    public bool UncleanLeaderElectionEnable { get; }
    public long ReplicaLagTimeMaxMs { get; }
    public int ReplicaFetchMaxBytes { get; }
    public int ReplicaFetchWaitMaxMs { get; }
    public int ReplicaFetchMinBytes { get; }
    public int ReplicaFetchBackoffMs { get; }
    public int ReplicaFetchResponseMaxBytes { get; }
    public int ReplicaSocketTimeoutMs { get; }
    public int NumReplicaFetchers { get; }
    public bool AutoLeaderRebalanceEnable { get; }
    public int LeaderImbalanceCheckIntervalSeconds { get; }
    public int LeaderImbalancePerBrokerPercentage { get; }
    public int FetchMaxBytes { get; }

    // ----- Group coordinator -----
    public int OffsetsTopicNumPartitions { get; }

    /// <summary>Kafka's 3; the broker caps it at the number of live brokers when creating the topic.</summary>
    public short OffsetsTopicReplicationFactor { get; }
    public int OffsetsTopicSegmentBytes { get; }
    public int OffsetsRetentionMinutes { get; }
    public long OffsetsRetentionCheckIntervalMs { get; }
    public int OffsetsCommitTimeoutMs { get; }
    public int GroupMinSessionTimeoutMs { get; }
    public int GroupMaxSessionTimeoutMs { get; }
    public int GroupInitialRebalanceDelayMs { get; }
    public int GroupMaxSize { get; }

    // ----- Transactions -----
    public int TransactionalIdExpirationMs { get; }
    public int TransactionMaxTimeoutMs { get; }
    public int TransactionStateLogNumPartitions { get; }
    public short TransactionStateLogReplicationFactor { get; }
    public int TransactionStateLogMinIsr { get; }
    public int ProducerIdExpirationMs { get; }
    public int ProducerIdExpirationCheckIntervalMs { get; }

    private int Int(string key) => (int)_values[key]!;

    private long Long(string key) => (long)_values[key]!;

    private double Double(string key) => (double)_values[key]!;

    private bool Bool(string key) => (bool)_values[key]!;

    private string? Str(string key) => (string?)_values[key];

    private IReadOnlyList<string> List(string key) => (IReadOnlyList<string>)_values[key]!;

    private string? Format(string key) => OriginalProperties.TryGetValue(key, out var raw) ? raw : ConfigValues.Format(_values[key]);

    private IReadOnlyList<string> ComputeLogDirs()
    {
        var key = Str("log.dirs") is null ? "log.dir" : "log.dirs";
        var text = Str(key) ?? "";
        var dirs = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (dirs.Length == 0)
        {
            throw new ConfigException(key, text, "at least one log directory is required");
        }
        if (dirs.Distinct(StringComparer.Ordinal).Count() != dirs.Length)
        {
            throw new ConfigException(key, text, "a log directory is listed twice");
        }
        return dirs;
    }

    private long ComputeRollMs()
    {
        var (key, ms) = Get("log.roll.ms") is long v ? ("log.roll.ms", v) : ("log.roll.hours", MillisPerHour * Int("log.roll.hours"));
        return ms >= 1 ? ms : throw new ConfigException(key, Format(key), "must be at least 1");
    }

    private long ComputeRetentionMs()
    {
        string key;
        long ms;
        if (Get("log.retention.ms") is long v)
        {
            (key, ms) = ("log.retention.ms", v);
        }
        else if (Get("log.retention.minutes") is int minutes)
        {
            (key, ms) = ("log.retention.minutes", MillisPerMinute * minutes);
        }
        else
        {
            (key, ms) = ("log.retention.hours", MillisPerHour * Int("log.retention.hours"));
        }
        if (ms < 0)
        {
            return -1;
        }
        return ms >= 1 ? ms : throw new ConfigException(key, Format(key), "must be unlimited (-1) or at least 1 ms");
    }

    private IReadOnlyList<ListenerEndpoint> ComputeListeners()
    {
        if (Str("listeners") is { } listeners)
        {
            return ListenerEndpoint.ParseList("listeners", listeners, ListenerSecurityProtocolMap);
        }
        var host = Str("host.name") ?? "";
        return [ListenerEndpoint.Parse("host.name", $"PLAINTEXT://{Bracket(host)}:{Int("port")}", ListenerSecurityProtocolMap)];
    }

    private IReadOnlyList<ListenerEndpoint> ComputeAdvertisedTemplate()
    {
        IReadOnlyList<ListenerEndpoint> result;
        string key;
        if (Str("advertised.listeners") is { } advertised)
        {
            key = "advertised.listeners";
            result = ListenerEndpoint.ParseList(key, advertised, ListenerSecurityProtocolMap);
            foreach (var endpoint in result)
            {
                if (!EffectiveListeners.Any(l => l.ListenerName == endpoint.ListenerName))
                {
                    throw new ConfigException(key, advertised, $"listener {endpoint.ListenerName} is advertised but not in listeners");
                }
            }
        }
        else if (Str("listeners") is null && (Str("advertised.host.name") is not null || Get("advertised.port") is not null))
        {
            key = Str("advertised.host.name") is not null ? "advertised.host.name" : "advertised.port";
            var host = Str("advertised.host.name") ?? Str("host.name") ?? "";
            var port = (int?)Get("advertised.port") ?? Int("port");
            result = [new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", host, port)];
        }
        else
        {
            key = Str("listeners") is null ? "host.name" : "listeners";
            result = EffectiveListeners;
        }
        // As Kafka: clients cannot connect to the wildcard address, so it may not be advertised.
        foreach (var endpoint in result)
        {
            if (endpoint.Host is "0.0.0.0" or "::")
            {
                throw new ConfigException(key, Format(key),
                    $"cannot advertise the non-routable meta-address {endpoint.Host}; set advertised.listeners to a routable host");
            }
        }
        return result;
    }

    private static IReadOnlyList<ListenerEndpoint> ResolveAdvertised(IReadOnlyList<ListenerEndpoint> template, string machineHostName) =>
        template.Select(e => e.Host.Length == 0 ? e with { Host = machineHostName } : e).ToList();

    private static string Bracket(string host) => host.Contains(':') ? $"[{host}]" : host;
}
