using System.Globalization;
using System.Text;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Server;

/// <summary>
/// The cluster id, generated once and kept in every log dir's meta.properties (Kafka's v0
/// format: version=0, broker.id, cluster.id). Creates missing log dirs; a dir that cannot be
/// created or written, or a meta.properties whose broker.id or cluster.id disagrees, stops start-up.
/// </summary>
public static class ClusterIdentity
{
    public const string FileName = "meta.properties";

    public static string LoadOrCreate(IReadOnlyList<string> logDirs, int brokerId)
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
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                continue;
            }
            var values = Read(path);
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
        clusterId ??= Uuid.NewRandom().ToString();
        foreach (var dir in logDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                Write(path, brokerId, clusterId);
            }
        }
        return clusterId;
    }

    private static Dictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or '!')
            {
                continue;
            }
            var eq = trimmed.IndexOf('=');
            if (eq > 0)
            {
                values[trimmed[..eq].Trim()] = trimmed[(eq + 1)..].Trim();
            }
        }
        return values;
    }

    private static void Write(string path, int brokerId, string clusterId)
    {
        var text = new StringBuilder()
            .Append("#\n#").Append(DateTime.UtcNow.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture)).Append('\n')
            .Append("version=0\n")
            .Append("broker.id=").Append(brokerId.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("cluster.id=").Append(clusterId).Append('\n')
            .ToString();
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
