using System.Globalization;
using System.Text;

namespace Gregor.Storage.Checkpoints;

/// <summary>
/// "meta.properties" in every log dir, Java properties as Kafka (ZooKeeper mode) writes it:
/// a comment line, then version=0, broker.id=N, cluster.id=ID. A dir whose file names another
/// broker or cluster belongs to someone else and stops start-up.
/// </summary>
public static class MetaProperties
{
    public static void WriteOrValidate(string dir, int brokerId, string clusterId)
    {
        var path = Path.Combine(dir, LogFileNames.MetaPropertiesFile);
        if (File.Exists(path))
        {
            var props = Read(path);
            if (props.TryGetValue("broker.id", out var b) && b != brokerId.ToString(CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"log dir {dir}: meta.properties has broker.id={b}, this broker is {brokerId}");
            }
            if (props.TryGetValue("cluster.id", out var c) && !string.IsNullOrEmpty(clusterId) && c != clusterId)
            {
                throw new InvalidOperationException($"log dir {dir}: meta.properties has cluster.id={c}, expected {clusterId}");
            }
            return;
        }
        var sb = new StringBuilder();
        sb.Append("#\n#").Append(DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("version=0\n");
        sb.Append("broker.id=").Append(brokerId.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("cluster.id=").Append(clusterId).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    public static Dictionary<string, string> Read(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            var eq = line.IndexOfAny(['=', ':']);
            if (eq > 0)
            {
                result[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }
        return result;
    }
}
