using System.Text;
using Gregor.Protocol.Wire;

namespace Gregor.Storage.Checkpoints;

/// <summary>"partition.metadata": "version: 0" then "topic_id: &lt;base64url topic id&gt;" (Kafka's layout).</summary>
public static class PartitionMetadataFile
{
    /// <summary>Written atomically (temp file, rename); with <paramref name="sync"/> also durably (see <see cref="AtomicFile.WriteAllBytes"/>).</summary>
    public static void Write(string dir, Uuid topicId, bool sync = true) =>
        AtomicFile.WriteAllBytes(Path.Combine(dir, LogFileNames.PartitionMetadataFile), Encoding.UTF8.GetBytes($"version: 0\ntopic_id: {topicId}\n"), sync);

    public static string? ReadTopicId(string dir)
    {
        var path = Path.Combine(dir, LogFileNames.PartitionMetadataFile);
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.StartsWith("topic_id:", StringComparison.Ordinal))
            {
                return line["topic_id:".Length..].Trim();
            }
        }
        return null;
    }
}
