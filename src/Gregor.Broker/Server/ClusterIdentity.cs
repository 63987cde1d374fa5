using System.Globalization;
using Gregor.Protocol.Wire;
using Gregor.Storage.Checkpoints;

namespace Gregor.Broker.Server;

/// <summary>
/// The cluster id, generated once and kept in every log dir's meta.properties (Kafka's v0
/// format, read and written by the storage layer's <see cref="MetaProperties"/>). Creates
/// missing log dirs; a dir that cannot be created or written, or a meta.properties whose broker.id or cluster.id disagrees, stops start-up.
/// </summary>
public static class ClusterIdentity
{
    /// <summary>
    /// The cluster id of the log dirs. <paramref name="clusterIdOf"/>, in ZooKeeper mode, gives the
    /// cluster's id (/cluster/id) given the one this broker proposes (its stored one, or a new one);
    /// a stored id that differs means the broker is pointed at another cluster, and start-up stops,
    /// as Kafka's InconsistentClusterIdException does.
    /// </summary>
    public static string LoadOrCreate(IReadOnlyList<string> logDirs, int brokerId, Func<string, string>? clusterIdOf = null)
    {
        string? clusterId = null;
        foreach (var dir in logDirs)
        {
            try
            {
                Directory.CreateDirectory(dir);
                var probe = Path.Combine(dir, ".gregor-write-probe");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"Invalid value {dir} for configuration log.dirs: the directory cannot be created or written ({e.Message})", e);
            }
            var path = Path.Combine(dir, Gregor.Storage.LogFileNames.MetaPropertiesFile);
            if (!File.Exists(path))
            {
                continue;
            }
            var values = MetaProperties.Read(path);
            if (values.TryGetValue("broker.id", out var storedBroker) && storedBroker != brokerId.ToString(CultureInfo.InvariantCulture))
            {
                throw new StartupException($"broker.id {brokerId} does not match broker.id={storedBroker} stored in {path}");
            }
            if (values.TryGetValue("cluster.id", out var stored))
            {
                if (clusterId is not null && clusterId != stored)
                {
                    throw new StartupException($"log dirs belong to different clusters: {clusterId} and {stored} ({path})");
                }
                clusterId = stored;
            }
        }
        var actual = clusterIdOf?.Invoke(clusterId ?? Uuid.NewRandom().ToString()) ?? clusterId ?? Uuid.NewRandom().ToString();
        if (clusterId is not null && actual != clusterId)
        {
            throw new StartupException($"The Cluster ID {actual} doesn't match stored clusterId {clusterId} in meta.properties. The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.");
        }
        clusterId = actual;
        foreach (var dir in logDirs)
        {
            MetaProperties.WriteOrValidate(dir, brokerId, clusterId);
        }
        return clusterId;
    }
}
