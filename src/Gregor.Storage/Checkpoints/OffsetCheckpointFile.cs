using System.Globalization;
using System.Text;

namespace Gregor.Storage.Checkpoints;

/// <summary>
/// Kafka's per-log-dir offset checkpoint text format (recovery-point-offset-checkpoint,
/// log-start-offset-checkpoint, replication-offset-checkpoint, cleaner-offset-checkpoint):
/// <code>
/// 0                 version
/// N                 number of entries
/// topic partition offset      N lines, space separated
/// </code>
/// Written atomically; a missing file reads as empty, a malformed one throws.
/// </summary>
public sealed class OffsetCheckpointFile(string path)
{
    public string Path { get; } = path;

    public void Write(IEnumerable<KeyValuePair<TopicPartition, long>> offsets)
    {
        var list = offsets.ToList();
        var sb = new StringBuilder();
        sb.Append("0\n").Append(list.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (tp, offset) in list)
        {
            sb.Append(tp.Topic).Append(' ').Append(tp.Partition.ToString(CultureInfo.InvariantCulture)).Append(' ')
              .Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        AtomicFile.WriteAllText(Path, sb.ToString());
    }

    public Dictionary<TopicPartition, long> Read()
    {
        var result = new Dictionary<TopicPartition, long>();
        if (!File.Exists(Path))
        {
            return result;
        }
        var lines = File.ReadAllLines(Path);
        if (lines.Length < 2 || lines[0].Trim() != "0" || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || lines.Length < 2 + count)
        {
            throw new InvalidDataException($"malformed checkpoint file {Path}");
        }
        for (var i = 0; i < count; i++)
        {
            var parts = lines[2 + i].Split(' ');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition) ||
                !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset))
            {
                throw new InvalidDataException($"malformed line {i + 3} in checkpoint file {Path}: '{lines[2 + i]}'");
            }
            result[new TopicPartition(parts[0], partition)] = offset;
        }
        return result;
    }
}
