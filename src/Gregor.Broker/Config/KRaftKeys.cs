namespace Gregor.Broker.Config;

/// <summary>
/// The keys of Kafka 3.x's KRaft mode (the controller quorum and the metadata log), as found in
/// KRaft <c>server.properties</c> files. Gregor runs without KRaft, so a file that sets them
/// still starts: they are ignored with one warning naming them all, rather than one
/// "unknown key" warning each. (<c>node.id</c> is not among them: it is <c>broker.id</c>'s synonym.)
/// </summary>
public static class KRaftKeys
{
    // Every controller.quorum.* key (voters, bootstrap.servers, timeouts, ...) is a KRaft key.
    private const string QuorumPrefix = "controller.quorum.";

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "process.roles",
        "controller.listener.names",
        "sasl.mechanism.controller.protocol",
        "initial.broker.registration.timeout.ms",
        "broker.heartbeat.interval.ms",
        "broker.session.timeout.ms",
        "server.max.startup.time.ms",
        "metadata.log.dir",
        "metadata.log.max.snapshot.interval.ms",
        "metadata.log.max.record.bytes.between.snapshots",
        "metadata.log.segment.min.bytes",
        "metadata.log.segment.bytes",
        "metadata.log.segment.ms",
        "metadata.max.retention.bytes",
        "metadata.max.retention.ms",
        "metadata.max.idle.interval.ms",
        "zookeeper.metadata.migration.enable",
        "zookeeper.metadata.migration.min.batch.size",
        "eligible.leader.replicas.enable",
    };

    /// <summary>True for a key only Kafka's KRaft mode uses.</summary>
    public static bool IsKRaftKey(string key) => Names.Contains(key) || key.StartsWith(QuorumPrefix, StringComparison.Ordinal);

    /// <summary>The one warning for the KRaft keys a configuration sets (sorted).</summary>
    public static string Warning(IEnumerable<string> keys) =>
        "this broker runs without KRaft (no controller quorum, no metadata log); these KRaft settings are ignored: "
        + string.Join(", ", keys.Order(StringComparer.Ordinal));
}
