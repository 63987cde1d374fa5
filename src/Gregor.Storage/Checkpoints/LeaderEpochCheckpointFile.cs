using System.Globalization;
using System.Text;

namespace Gregor.Storage.Checkpoints;

/// <summary>
/// "leader-epoch-checkpoint" in a partition directory, Kafka's format:
/// <code>
/// 0                 version
/// N                 entries
/// epoch startOffset N lines
/// </code>
/// </summary>
public sealed class LeaderEpochCheckpointFile(string path)
{
    public string Path { get; } = path;

    public void Write(IReadOnlyList<EpochEntry> entries)
    {
        var sb = new StringBuilder();
        sb.Append("0\n").Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var e in entries)
        {
            sb.Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(e.StartOffset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        AtomicFile.WriteAllText(Path, sb.ToString());
    }

    public List<EpochEntry> Read()
    {
        var result = new List<EpochEntry>();
        if (!File.Exists(Path))
        {
            return result;
        }
        var lines = File.ReadAllLines(Path);
        if (lines.Length < 2 || lines[0].Trim() != "0" || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || lines.Length < 2 + count)
        {
            throw new InvalidDataException($"malformed leader epoch checkpoint {Path}");
        }
        for (var i = 0; i < count; i++)
        {
            var parts = lines[2 + i].Split(' ');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ||
                !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                throw new InvalidDataException($"malformed line {i + 3} in {Path}");
            }
            result.Add(new EpochEntry(epoch, offset));
        }
        return result;
    }
}

/// <summary>Leader epoch <see cref="Epoch"/> began at <see cref="StartOffset"/>.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
