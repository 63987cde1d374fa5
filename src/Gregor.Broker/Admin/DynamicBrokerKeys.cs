using Gregor.Broker.Config;

namespace Gregor.Broker.Admin;

/// <summary>
/// Which broker keys may change dynamically (AlterConfigs / IncrementalAlterConfigs on a BROKER
/// resource), and where: Kafka 3.9's reconfigurable sets. Each key is validated with its
/// <see cref="BrokerConfigDefinitions"/> type and validator; Gregor applies <see cref="Applied"/>
/// at once and stores and describes the rest without acting on them yet.
/// </summary>
public static class DynamicBrokerKeys
{
    /// <summary>
    /// Key stores and certificates: dynamic only per listener (<c>listener.name.NAME.key</c>),
    /// never under their own name.
    /// </summary>
    public static IReadOnlySet<string> ListenerPrefixOnly { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
        "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.password",
        "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.truststore.certificates",
    };

    // Listener, security and connection-limit keys; all but the cluster-level three are per-broker only.
    private static readonly string[] ListenerKeys =
    [
        "advertised.listeners", "listeners", "listener.security.protocol.map",
        "principal.builder.class", "ssl.protocol", "ssl.provider", "ssl.cipher.suites", "ssl.enabled.protocols",
        "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
        "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.password",
        "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm", "ssl.endpoint.identification.algorithm",
        "ssl.secure.random.implementation", "ssl.client.auth", "ssl.engine.factory.class",
        "sasl.mechanism.inter.broker.protocol", "sasl.jaas.config", "sasl.enabled.mechanisms",
        "sasl.kerberos.service.name", "sasl.kerberos.kinit.cmd", "sasl.kerberos.ticket.renew.window.factor",
        "sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.min.time.before.relogin", "sasl.kerberos.principal.to.local.rules",
        "sasl.login.refresh.window.factor", "sasl.login.refresh.window.jitter",
        "sasl.login.refresh.min.period.seconds", "sasl.login.refresh.buffer.seconds",
        "max.connections", "max.connection.creation.rate", "num.network.threads",
    ];

    private static readonly string[] ClusterLevelListenerKeys = ["max.connections", "max.connection.creation.rate", "num.network.threads"];

    /// <summary>Keys that may be set for one broker only (resource name = its id), not as cluster-wide defaults.</summary>
    public static IReadOnlySet<string> PerBrokerOnly { get; } = ListenerKeys.Concat(ListenerPrefixOnly)
        .Except(ClusterLevelListenerKeys).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Thread counts: a new value must be at least 1, at least half and at most double the
    /// current one (log.cleaner.threads has its own wording of the same rule).
    /// </summary>
    public static IReadOnlySet<string> ThreadCounts { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "num.io.threads", "num.replica.fetchers", "num.recovery.threads.per.data.dir", "background.threads", "num.network.threads",
    };

    // The broker synonym Kafka reconfigures for each topic key: the first, except for
    // message.format.version, which is not reconfigurable.
    private static readonly string[] LogKeys = TopicConfigDefinitions.All
        .Where(k => k.BrokerSynonyms.Count > 0 && k.Name != "message.format.version")
        .Select(k => k.BrokerSynonyms[0])
        .ToArray();

    /// <summary>
    /// The log defaults Gregor applies at once: the broker synonym of each topic key it acts on
    /// becomes the default of every topic without an override.
    /// </summary>
    public static IReadOnlySet<string> Applied { get; } = TopicConfigDefinitions.All
        .Where(k => k.BrokerSynonyms.Count > 0 && !k.NoEffectYet)
        .Select(k => k.BrokerSynonyms[0])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Every broker key that may change dynamically.</summary>
    public static IReadOnlySet<string> All { get; } = LogKeys
        .Concat(ListenerKeys)
        .Concat(ListenerPrefixOnly)
        .Concat(ThreadCounts)
        .Concat(
        [
            // The log cleaner.
            "log.cleaner.threads", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.load.factor",
            "log.cleaner.io.buffer.size", "message.max.bytes", "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms",
            // Connection quotas.
            "max.connections.per.ip", "max.connections.per.ip.overrides",
            // Metrics, producer state, tiered storage and replication quotas.
            "metric.reporters",
            "producer.id.expiration.ms", "transaction.partition.verification.enable",
            "remote.log.index.file.cache.total.size.bytes", "remote.fetch.max.wait.ms",
            "remote.log.manager.copy.max.bytes.per.second", "remote.log.manager.fetch.max.bytes.per.second",
            "leader.replication.throttled.rate", "follower.replication.throttled.rate", "replica.alter.log.dirs.io.max.bytes.per.second",
        ])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// For <c>listener.name.NAME.key</c>, the key; null for any other name. Such per-listener
    /// overrides are accepted for any key, as Kafka does.
    /// </summary>
    public static string? ListenerBaseName(string name)
    {
        const string prefix = "listener.name.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var dot = name.IndexOf('.', prefix.Length);
        return dot < 0 || dot == name.Length - 1 ? null : name[(dot + 1)..];
    }

    /// <summary>
    /// True when a dynamic value of <paramref name="name"/> is a password and must never be
    /// printed or described (a password key, or a per-listener override of one).
    /// </summary>
    public static bool IsPassword(string name) =>
        BrokerConfigDefinitions.All.Any(k => k.Sensitive && name.EndsWith(k.Name, StringComparison.Ordinal));
}
