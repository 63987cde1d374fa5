using static Gregor.Broker.Config.ConfigValidator;

namespace Gregor.Broker.Config;

/// <summary>
/// The catalog of broker keys: Kafka's names, types, defaults (Kafka 3.x unless a comment
/// says otherwise) and valid ranges. <see cref="BrokerConfig"/> parsing, validation, the
/// effective-configuration listing and DescribeConfigs are all driven from this table.
/// Units are in the key names (<c>.ms</c>, <c>.bytes</c>, ...).
/// </summary>
public static class BrokerConfigDefinitions
{
    private const long MiB = 1024 * 1024;

    /// <summary>Compression codecs a topic or broker may name; <c>producer</c> keeps the producer's.</summary>
    internal static readonly string[] CompressionTypes = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];

    internal static readonly string[] CleanupPolicies = ["compact", "delete"];

    internal static readonly string[] TimestampTypes = ["CreateTime", "LogAppendTime"];

    // gzip's levels are 1 (fastest) to 9 (smallest); -1 is the codec's own default.
    private static readonly ConfigValidator GzipLevel = Custom(
        v => (int)v is -1 or (>= 1 and <= 9) ? null : "Value must be between 1 and 9 or equal to -1", "[1,...,9] or -1");

    /// <summary>Every broker key, in catalog order.</summary>
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        // ----- Server basics -----
        // Kafka's default is -1 (generate an id); Gregor does not generate ids, so 0 as in Kafka's sample server.properties.
        Int("broker.id", 0, AtLeast(0), "The id of this broker; unique within a cluster."),
        // Kafka 3.x KRaft files name the id node.id; when only one of the two is set it is the other's value too.
        Int("node.id", null, AtLeast(0), "The id of this node (KRaft's name for broker.id); must equal broker.id when both are set."),
        Str("broker.rack", null, null, "The rack of this broker, for rack-aware replica placement."),
        Str("log.level", "Information", Custom(v => LogLevelParser.TryParse((string)v, out _) ? null : "must be one of: trace, debug, info, warn, error, critical, none", "[trace, debug, info, warn, error, critical, none]"),
            "Gregor-specific: the minimum level of the broker's log (Kafka configures logging through log4j instead).") with { GregorSpecific = true },
        Int("num.network.threads", 3, AtLeast(1), "Threads that receive requests from the network and send responses."),
        Int("num.io.threads", 8, AtLeast(1), "Threads that process requests, including disk I/O."),
        Int("background.threads", 10, AtLeast(1), "Threads for background tasks such as retention and segment deletion."),
        Int("queued.max.requests", 500, AtLeast(1), "Requests queued for the I/O threads before the network threads stop reading."),
        Bool("auto.create.topics.enable", true, "Create a topic when a client asks for metadata of, or produces to, a topic that does not exist."),
        Bool("delete.topic.enable", true, "Allow DeleteTopics; when false, deleting a topic is refused."),
        Bool("auto.leader.rebalance.enable", true, "Move leadership back to the preferred replica periodically."),
        Bool("controlled.shutdown.enable", true, "Move leadership away before this broker shuts down."),
        Int("controlled.shutdown.max.retries", 3, AtLeast(0), "Attempts at a controlled shutdown before shutting down anyway."),
        Long("controlled.shutdown.retry.backoff.ms", 5000L, AtLeast(0), "Wait between controlled shutdown attempts (ms)."),

        // ----- Socket server -----
        // Kafka 3.x defaults listeners to PLAINTEXT://:9092; left unset here so the legacy host.name/port apply (same effect).
        Str("listeners", null, null, "Comma-separated NAME://host:port the broker listens on; an empty host means all interfaces. Defaults to PLAINTEXT://{host.name}:{port}."),
        Str("advertised.listeners", null, null, "Comma-separated NAME://host:port given to clients, if different from listeners."),
        Str("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", null,
            "Listener name to security protocol, NAME:PROTOCOL pairs separated by commas (only PLAINTEXT is supported for now)."),
        // port, host.name and the advertised.* pair were removed in Kafka 3.0; kept for old configuration files.
        Int("port", 9092, Between(0, 65535), "Legacy: the port to listen on when listeners is not set."),
        Str("host.name", "", null, "Legacy: the host to bind when listeners is not set; empty means all interfaces."),
        Str("advertised.host.name", null, null, "Legacy: the host given to clients when neither listeners nor advertised.listeners is set."),
        Int("advertised.port", null, Between(0, 65535), "Legacy: the port given to clients when neither listeners nor advertised.listeners is set."),
        Int("socket.send.buffer.bytes", 102400, AtLeast(-1), "SO_SNDBUF of client sockets (bytes); -1 keeps the OS default."),
        Int("socket.receive.buffer.bytes", 102400, AtLeast(-1), "SO_RCVBUF of client sockets (bytes); -1 keeps the OS default."),
        Int("socket.request.max.bytes", 104857600, AtLeast(1), "The largest request accepted (bytes); a larger size prefix closes the connection."),
        // Kafka's default is -1 (no bound); Gregor bounds it so that clients sending large requests at once cannot exhaust memory.
        Long("queued.max.request.bytes", 512 * MiB, null,
            "The most bytes that request frames larger than 64 KiB hold at once, broker-wide; reading from a connection pauses while its next frame would pass it. 0 or less means no bound; otherwise at least socket.request.max.bytes."),
        Int("socket.listen.backlog.size", 50, AtLeast(1), "Pending connections the listen socket queues."),
        // Kafka's default is Int.MaxValue (no limit); Gregor keeps a finite limit so a connection storm cannot exhaust file handles.
        Int("max.connections", 10000, AtLeast(0), "Most client connections open at once; new ones are refused beyond it."),
        Int("max.connections.per.ip", int.MaxValue, AtLeast(0), "Most connections open at once from one IP address."),
        Str("max.connections.per.ip.overrides", "", null, "Per-IP or hostname overrides of max.connections.per.ip: host:count separated by commas."),
        Int("max.connection.creation.rate", int.MaxValue, AtLeast(0), "Most new connections accepted per second."),
        Long("connections.max.idle.ms", 600000L, null, "Close connections idle for longer than this (ms)."),

        // ----- ZooKeeper -----
        Str("zookeeper.connect", null, null, "ZooKeeper servers, host:port separated by commas or semicolons, with an optional /chroot at the end; unset runs single-node."),
        Int("zookeeper.session.timeout.ms", 18000, AtLeast(1), "ZooKeeper session timeout (ms)."),
        Int("zookeeper.connection.timeout.ms", null, AtLeast(1), "Most time to wait for a ZooKeeper connection (ms); unset uses zookeeper.session.timeout.ms."),
        Int("zookeeper.max.in.flight.requests", 10, AtLeast(1), "Unacknowledged requests sent to ZooKeeper at once."),

        // ----- Log basics -----
        Str("log.dir", "/tmp/kafka-logs", null, "The directory for partition data, when log.dirs is not set."),
        Str("log.dirs", null, null, "Comma-separated directories for partition data; overrides log.dir."),
        Int("num.partitions", 1, AtLeast(1), "Partitions of a topic created without a partition count."),
        Int("default.replication.factor", 1, AtLeast(1), "Replication factor of a topic created without one."),
        Int("num.recovery.threads.per.data.dir", 1, AtLeast(1), "Threads per log dir that recover partitions at start-up and flush them at shutdown."),
        Int("log.segment.bytes", (int)(1024 * MiB), AtLeast(14), "Size at which a segment file rolls (bytes).") with { TopicKey = "segment.bytes" },
        Long("log.roll.ms", null, null, "Age at which a segment rolls (ms); unset uses log.roll.hours.") with { TopicKey = "segment.ms" },
        Int("log.roll.hours", 168, AtLeast(1), "Age at which a segment rolls (hours), when log.roll.ms is not set.") with { TopicKey = "segment.ms" },
        Long("log.roll.jitter.ms", null, null, "Most random jitter taken off the roll time (ms); unset uses log.roll.jitter.hours.") with { TopicKey = "segment.jitter.ms" },
        Int("log.roll.jitter.hours", 0, AtLeast(0), "Most random jitter taken off the roll time (hours).") with { TopicKey = "segment.jitter.ms" },
        Long("log.retention.ms", null, null, "Age after which a closed segment is deleted (ms); -1 keeps segments forever. Wins over minutes and hours.") with { TopicKey = "retention.ms" },
        Int("log.retention.minutes", null, null, "Retention age (minutes), when log.retention.ms is not set.") with { TopicKey = "retention.ms" },
        Int("log.retention.hours", 168, null, "Retention age (hours), when neither log.retention.ms nor log.retention.minutes is set.") with { TopicKey = "retention.ms" },
        Long("log.retention.bytes", -1L, null, "Size per partition above which the oldest segments are deleted (bytes); -1 means no limit.") with { TopicKey = "retention.bytes" },
        Long("log.local.retention.ms", -2L, AtLeast(-2), "Tiered storage: age after which local segments are deleted (ms); -2 uses log.retention.ms.") with { TopicKey = "local.retention.ms" },
        Long("log.local.retention.bytes", -2L, AtLeast(-2), "Tiered storage: local size per partition above which segments are deleted (bytes); -2 uses log.retention.bytes.") with { TopicKey = "local.retention.bytes" },
        Long("log.retention.check.interval.ms", 300000L, AtLeast(1), "How often retention is checked (ms)."),
        List("log.cleanup.policy", "delete", ListOf(CleanupPolicies), "What happens to old segments: delete, compact, or both.") with { TopicKey = "cleanup.policy" },
        Int("log.index.size.max.bytes", (int)(10 * MiB), AtLeast(4), "Largest offset index per segment (bytes); a full index rolls the segment.") with { TopicKey = "segment.index.bytes" },
        Int("log.index.interval.bytes", 4096, AtLeast(0), "Bytes appended between two offset index entries.") with { TopicKey = "index.interval.bytes" },
        Long("log.flush.interval.messages", long.MaxValue, AtLeast(1), "Messages appended to a partition before it is fsynced.") with { TopicKey = "flush.messages" },
        Long("log.flush.interval.ms", null, null, "Most time a message stays in memory before an fsync (ms); unset uses log.flush.scheduler.interval.ms.") with { TopicKey = "flush.ms" },
        Long("log.flush.scheduler.interval.ms", long.MaxValue, null, "How often the flusher checks whether a log needs an fsync (ms)."),
        Int("log.flush.offset.checkpoint.interval.ms", 60000, AtLeast(0), "How often the recovery-point checkpoint is written (ms)."),
        Int("log.flush.start.offset.checkpoint.interval.ms", 60000, AtLeast(0), "How often the log-start-offset checkpoint is written (ms)."),
        Long("log.segment.delete.delay.ms", 60000L, AtLeast(0), "Wait between renaming a segment to .deleted and removing it (ms).") with { TopicKey = "file.delete.delay.ms" },
        Bool("log.preallocate", false, "Preallocate segment files at their full size.") with { TopicKey = "preallocate" },
        Str("log.message.timestamp.type", "CreateTime", OneOf(TimestampTypes), "Which timestamp records keep: the producer's (CreateTime) or the broker's append time (LogAppendTime).") with { TopicKey = "message.timestamp.type" },
        Long("log.message.timestamp.difference.max.ms", long.MaxValue, AtLeast(0), "Deprecated: most difference between a CreateTime timestamp and the broker's clock (ms).") with { TopicKey = "message.timestamp.difference.max.ms" },
        Long("log.message.timestamp.before.max.ms", long.MaxValue, AtLeast(0), "Most a CreateTime timestamp may lie before the broker's clock (ms).") with { TopicKey = "message.timestamp.before.max.ms" },
        Long("log.message.timestamp.after.max.ms", long.MaxValue, AtLeast(0), "Most a CreateTime timestamp may lie after the broker's clock (ms).") with { TopicKey = "message.timestamp.after.max.ms" },
        Bool("log.message.downconversion.enable", true, "Convert batches down to the legacy message format for old consumers.") with { TopicKey = "message.downconversion.enable" },
        // Deprecated in Kafka 3.0 and ignored with inter.broker.protocol.version 3.0 or later; accepted for old files.
        Str("log.message.format.version", "3.0-IV1", MessageFormatVersions.Validator, "Deprecated: the message format version appended to logs; ignored since 3.0.") with { TopicKey = "message.format.version" },
        // 1 MiB + 12 bytes of batch log overhead: Kafka's default since 1.1. DESIGN.md's 1000012 is the older default.
        Int("message.max.bytes", 1048588, AtLeast(0), "Largest record batch accepted (bytes, after compression).") with { TopicKey = "max.message.bytes" },
        Str("compression.type", "producer", OneOf(CompressionTypes), "Codec batches are stored with; producer keeps the producer's codec.") with { TopicKey = "compression.type" },
        Int("compression.gzip.level", -1, GzipLevel, "Compression level of gzip (1 to 9, or -1 for the codec's default).") with { TopicKey = "compression.gzip.level" },
        Int("compression.lz4.level", 9, Between(1, 17), "Compression level of lz4.") with { TopicKey = "compression.lz4.level" },
        Int("compression.zstd.level", 3, Between(-131072, 22), "Compression level of zstd.") with { TopicKey = "compression.zstd.level" },

        // ----- Log cleaner -----
        Bool("log.cleaner.enable", true, "Run the log cleaner, which compacts topics with cleanup.policy=compact."),
        Int("log.cleaner.threads", 1, AtLeast(0), "Threads cleaning logs."),
        Long("log.cleaner.dedupe.buffer.size", 128 * MiB, null, "Memory for deduplicating keys across all cleaner threads (bytes)."),
        Int("log.cleaner.io.buffer.size", (int)(512 * 1024), AtLeast(0), "Memory for cleaner read and write buffers across all threads (bytes)."),
        Dbl("log.cleaner.io.buffer.load.factor", 0.9, null, "Load factor of the dedupe buffer."),
        Dbl("log.cleaner.io.max.bytes.per.second", double.MaxValue, null, "I/O throttle of the cleaner (bytes per second)."),
        Long("log.cleaner.backoff.ms", 15000L, AtLeast(0), "Sleep when there is nothing to clean (ms)."),
        Dbl("log.cleaner.min.cleanable.ratio", 0.5, Between(0, 1), "Least dirty share of a log for it to be cleaned.") with { TopicKey = "min.cleanable.dirty.ratio" },
        Long("log.cleaner.delete.retention.ms", 86400000L, AtLeast(0), "How long tombstones are kept on compacted topics (ms).") with { TopicKey = "delete.retention.ms" },
        Long("log.cleaner.min.compaction.lag.ms", 0L, AtLeast(0), "Least age of a record before it may be compacted (ms).") with { TopicKey = "min.compaction.lag.ms" },
        Long("log.cleaner.max.compaction.lag.ms", long.MaxValue, AtLeast(1), "Most age of a record before it must be compacted (ms).") with { TopicKey = "max.compaction.lag.ms" },

        // ----- Replication -----
        Int("min.insync.replicas", 1, AtLeast(1), "Least in-sync replicas for an acks=all write to succeed.") with { TopicKey = "min.insync.replicas" },
        Bool("unclean.leader.election.enable", false, "Allow an out-of-sync replica to become leader, at the cost of data loss.") with { TopicKey = "unclean.leader.election.enable" },
        Long("replica.lag.time.max.ms", 30000L, null, "A follower that has not caught up for this long leaves the ISR (ms)."),
        Int("replica.fetch.max.bytes", (int)MiB, AtLeast(0), "Bytes a follower fetches per partition."),
        Int("replica.fetch.wait.max.ms", 500, null, "Most time a follower fetch waits (ms)."),
        Int("replica.fetch.min.bytes", 1, null, "Least bytes a follower fetch waits for."),
        Int("replica.socket.timeout.ms", 30000, null, "Socket timeout of follower fetches (ms)."),
        Long("replica.high.watermark.checkpoint.interval.ms", 5000L, null, "How often high watermarks are checkpointed (ms)."),
        Int("num.replica.fetchers", 1, null, "Fetcher threads per source broker."),
        Int("replica.fetch.backoff.ms", 1000, AtLeast(0), "Wait after a follower fetch failed before fetching again (ms)."),
        Int("replica.fetch.response.max.bytes", 10 * (int)MiB, AtLeast(0), "Most bytes a follower fetch returns over all partitions."),
        Int("leader.imbalance.check.interval.seconds", 300, AtLeast(1), "How often the controller checks for partitions not led by their preferred replica (s)."),
        Int("leader.imbalance.per.broker.percentage", 10, null, "Share of a broker's partitions led elsewhere that triggers a preferred leader election (%)."),
        Int("fetch.max.bytes", 57671680, AtLeast(1024), "Most bytes returned for one fetch request (bytes)."),

        // ----- Group coordinator and offsets -----
        Int("offsets.topic.num.partitions", 50, AtLeast(1), "Partitions of __consumer_offsets."),
        // Kafka's default; a single broker caps it at the number of live brokers when creating the topic.
        Short("offsets.topic.replication.factor", 3, AtLeast(1), "Replication factor of __consumer_offsets."),
        Int("offsets.topic.segment.bytes", 104857600, AtLeast(1), "Segment size of __consumer_offsets (bytes)."),
        Int("offsets.load.buffer.size", (int)(5 * MiB), AtLeast(1), "Batch size when loading offsets into the cache (bytes)."),
        Int("offsets.retention.minutes", 10080, AtLeast(1), "How long committed offsets of an empty group are kept (minutes)."),
        Long("offsets.retention.check.interval.ms", 600000L, AtLeast(1), "How often stale offsets are checked (ms)."),
        Int("offsets.commit.timeout.ms", 5000, AtLeast(1), "Most time an offset commit waits for the offsets topic write (ms)."),
        Int("group.min.session.timeout.ms", 6000, null, "Least session timeout a consumer may ask for (ms)."),
        Int("group.max.session.timeout.ms", 1800000, null, "Most session timeout a consumer may ask for (ms)."),
        Int("group.initial.rebalance.delay.ms", 3000, null, "Wait for more members before the first rebalance of a new group (ms)."),
        Int("group.max.size", int.MaxValue, AtLeast(1), "Most members in one consumer group."),

        // ----- Transactions and idempotence -----
        Int("transactional.id.expiration.ms", 604800000, AtLeast(1), "A transactional id unused for this long expires (ms)."),
        Int("transaction.max.timeout.ms", 900000, AtLeast(1), "Most transaction timeout a producer may ask for (ms)."),
        Int("transaction.state.log.num.partitions", 50, AtLeast(1), "Partitions of __transaction_state."),
        Short("transaction.state.log.replication.factor", 3, AtLeast(1), "Replication factor of __transaction_state."),
        Int("transaction.state.log.min.isr", 2, AtLeast(1), "min.insync.replicas of __transaction_state."),
        Int("transaction.state.log.segment.bytes", 104857600, AtLeast(1), "Segment size of __transaction_state (bytes)."),
        Int("transaction.abort.timed.out.transaction.cleanup.interval.ms", 10000, AtLeast(1), "How often timed-out transactions are aborted (ms)."),
        Int("transaction.remove.expired.transaction.cleanup.interval.ms", 3600000, AtLeast(1), "How often expired transactional ids are removed (ms)."),
        Int("producer.id.expiration.ms", 86400000, AtLeast(1), "Producer state of a producer id idle for this long is dropped (ms)."),
        Int("producer.id.expiration.check.interval.ms", 600000, AtLeast(1), "How often expired producer ids are removed (ms)."),
        Bool("transaction.partition.verification.enable", true, "Verify that a partition was added to the transaction before a transactional write."),

        // ----- Security: SSL and SASL (Gregor serves PLAINTEXT only; the keys are accepted, described and stored) -----
        Cls("principal.builder.class", "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder", "Class that builds the principal of an authenticated connection."),
        Str("ssl.protocol", "TLSv1.3", null, "The TLS protocol of the SSL context."),
        Str("ssl.provider", null, null, "The security provider of the SSL connections."),
        List("ssl.enabled.protocols", "TLSv1.2,TLSv1.3", null, "TLS protocols enabled for SSL connections."),
        List("ssl.cipher.suites", "", null, "Cipher suites enabled; empty enables all available."),
        Str("ssl.keystore.type", "JKS", null, "File format of the key store."),
        Str("ssl.keystore.location", null, null, "Location of the key store file."),
        Pwd("ssl.keystore.password", "Password of the key store file."),
        Pwd("ssl.key.password", "Password of the private key in the key store."),
        Pwd("ssl.keystore.key", "Private key in the format of ssl.keystore.type."),
        Pwd("ssl.keystore.certificate.chain", "Certificate chain in the format of ssl.keystore.type."),
        Str("ssl.truststore.type", "JKS", null, "File format of the trust store."),
        Str("ssl.truststore.location", null, null, "Location of the trust store file."),
        Pwd("ssl.truststore.password", "Password of the trust store file."),
        Pwd("ssl.truststore.certificates", "Trusted certificates in the format of ssl.truststore.type."),
        Str("ssl.keymanager.algorithm", "SunX509", null, "Algorithm of the key manager factory."),
        Str("ssl.trustmanager.algorithm", "PKIX", null, "Algorithm of the trust manager factory."),
        Str("ssl.endpoint.identification.algorithm", "https", null, "Algorithm that checks the server host name against its certificate."),
        Str("ssl.secure.random.implementation", null, null, "SecureRandom implementation of SSL."),
        Str("ssl.client.auth", "none", OneOf("required", "requested", "none"), "Whether the broker asks clients for a certificate."),
        Cls("ssl.engine.factory.class", null, "Class that provides SSLEngine objects."),
        Str("sasl.mechanism.inter.broker.protocol", "GSSAPI", null, "SASL mechanism between brokers."),
        List("sasl.enabled.mechanisms", "GSSAPI", null, "SASL mechanisms enabled."),
        Pwd("sasl.jaas.config", "JAAS login context of SASL connections."),
        Str("sasl.kerberos.service.name", null, null, "Kerberos principal name Kafka runs as."),
        Str("sasl.kerberos.kinit.cmd", "/usr/bin/kinit", null, "Kerberos kinit command path."),
        Dbl("sasl.kerberos.ticket.renew.window.factor", 0.8, null, "Share of a ticket's lifetime after which it is renewed."),
        Dbl("sasl.kerberos.ticket.renew.jitter", 0.05, null, "Random jitter added to the renewal time."),
        Long("sasl.kerberos.min.time.before.relogin", 60000L, null, "Least time between two refresh attempts of the login thread (ms)."),
        List("sasl.kerberos.principal.to.local.rules", "DEFAULT", null, "Rules that map principal names to short names."),
        Dbl("sasl.login.refresh.window.factor", 0.8, null, "Share of a credential's lifetime after which it is refreshed."),
        Dbl("sasl.login.refresh.window.jitter", 0.05, null, "Random jitter added to the refresh time."),
        Short("sasl.login.refresh.min.period.seconds", 60, null, "Least time between two credential refreshes (s)."),
        Short("sasl.login.refresh.buffer.seconds", 300, null, "Time before a credential expires to refresh it (s)."),

        // ----- Metrics, quotas and tiered storage (accepted, described and stored; Gregor has none of these yet) -----
        List("metric.reporters", "", null, "Classes that are notified of new metrics."),
        // Kafka's broker quota configs exist only as dynamic configs; Long.MaxValue means unthrottled.
        Long("leader.replication.throttled.rate", long.MaxValue, AtLeast(0), "Upper bound on replication traffic of throttled leader replicas (bytes/s)."),
        Long("follower.replication.throttled.rate", long.MaxValue, AtLeast(0), "Upper bound on replication traffic of throttled follower replicas (bytes/s)."),
        Long("replica.alter.log.dirs.io.max.bytes.per.second", long.MaxValue, AtLeast(0), "Upper bound on traffic moving replicas between log dirs (bytes/s)."),
        Long("remote.log.index.file.cache.total.size.bytes", 1024 * MiB, AtLeast(1), "Size of the cache of remote log index files (bytes)."),
        Int("remote.fetch.max.wait.ms", 500, AtLeast(1), "Most time a fetch waits for remote data (ms)."),
        Long("remote.log.manager.copy.max.bytes.per.second", long.MaxValue, AtLeast(1), "Upper bound on copying to remote storage (bytes/s)."),
        Long("remote.log.manager.fetch.max.bytes.per.second", long.MaxValue, AtLeast(1), "Upper bound on fetching from remote storage (bytes/s)."),
    ];

    private static readonly Dictionary<string, ConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>The key definition for a name, if the name is a broker key.</summary>
    public static bool TryGet(string name, out ConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>The key definition for a name known to be a broker key.</summary>
    public static ConfigKey Get(string name) => ByName[name];

    private static ConfigKey Int(string name, int? value, ConfigValidator? validator, string doc) => new(name, ConfigType.Int, value, validator, doc);

    private static ConfigKey Short(string name, short value, ConfigValidator? validator, string doc) => new(name, ConfigType.Short, value, validator, doc);

    private static ConfigKey Long(string name, long? value, ConfigValidator? validator, string doc) => new(name, ConfigType.Long, value, validator, doc);

    private static ConfigKey Dbl(string name, double value, ConfigValidator? validator, string doc) => new(name, ConfigType.Double, value, validator, doc);

    private static ConfigKey Bool(string name, bool value, string doc) => new(name, ConfigType.Boolean, value, null, doc);

    private static ConfigKey Str(string name, string? value, ConfigValidator? validator, string doc) => new(name, ConfigType.String, value, validator, doc);

    private static ConfigKey Pwd(string name, string doc) => new(name, ConfigType.Password, null, null, doc);

    private static ConfigKey Cls(string name, string? value, string doc) => new(name, ConfigType.Class, value, null, doc);

    private static ConfigKey List(string name, string value, ConfigValidator? validator, string doc) =>
        new(name, ConfigType.List, value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), validator, doc);
}
