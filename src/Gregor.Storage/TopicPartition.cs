using System.Globalization;

namespace Gregor.Storage;

/// <summary>A partition's identity; its directory is named "&lt;topic&gt;-&lt;partition&gt;".</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public string DirectoryName => $"{Topic}-{Partition.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => DirectoryName;

    /// <summary>Parses a directory name; the topic may itself contain '-', the partition follows the last one.</summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition tp)
    {
        tp = default;
        var dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1)
        {
            return false;
        }
        var number = name.AsSpan(dash + 1);
        foreach (var c in number)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            return false;
        }
        var topic = name[..dash];
        foreach (var c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        tp = new TopicPartition(topic, partition);
        return true;
    }
}
