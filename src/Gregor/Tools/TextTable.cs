namespace Gregor.Tools;

/// <summary>
/// Left-aligned columns, each as wide as its widest cell plus one space, the layout of
/// kafka-consumer-groups.sh's tables; the last column is not padded.
/// </summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter writer)
    {
        var widths = new int[headers.Length];
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (var row in _rows)
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i] + 1));
            writer.WriteLine(string.Concat(cells).TrimEnd());
        }
    }
}
