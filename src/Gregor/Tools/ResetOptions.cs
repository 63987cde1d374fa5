using System.CommandLine;

namespace Gregor.Tools;

/// <summary>The reset scenarios of consumer-groups --reset-offsets; exactly one is required.</summary>
public sealed class ResetOptions
{
    private readonly Option<bool> _toEarliest = new("--to-earliest") { Description = "Reset to the log start offset." };
    private readonly Option<bool> _toLatest = new("--to-latest") { Description = "Reset to the log end offset." };
    private readonly Option<bool> _toCurrent = new("--to-current") { Description = "Reset to the committed offset." };
    private readonly Option<long?> _toOffset = new("--to-offset") { Description = "Reset to this offset (clamped to the log's range)." };
    private readonly Option<long?> _shiftBy = new("--shift-by") { Description = "Move the committed offset by N (may be negative)." };
    private readonly Option<string?> _toDatetime = new("--to-datetime") { Description = "Reset to the first offset at or after YYYY-MM-DDTHH:mm:SS.sss[zone]." };
    private readonly Option<string?> _byDuration = new("--by-duration") { Description = "Reset to the first offset at or after now minus PnDTnHnM." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _toEarliest, _toLatest, _toCurrent, _toOffset, _shiftBy, _toDatetime, _byDuration })
        {
            command.Options.Add(option);
        }
    }

    public OffsetReset Read(ParseResult parse)
    {
        var chosen = new List<OffsetReset>();
        if (parse.GetValue(_toEarliest))
        {
            chosen.Add(new("to-earliest", 0));
        }
        if (parse.GetValue(_toLatest))
        {
            chosen.Add(new("to-latest", 0));
        }
        if (parse.GetValue(_toCurrent))
        {
            chosen.Add(new("to-current", 0));
        }
        if (parse.GetValue(_toOffset) is { } offset)
        {
            chosen.Add(new("to-offset", offset));
        }
        if (parse.GetValue(_shiftBy) is { } shift)
        {
            chosen.Add(new("shift-by", shift));
        }
        if (parse.GetValue(_toDatetime) is { } datetime)
        {
            chosen.Add(new("to-datetime", OffsetReset.ParseDateTime(datetime)));
        }
        if (parse.GetValue(_byDuration) is { } duration)
        {
            chosen.Add(new("by-duration", (long)OffsetReset.ParseDuration(duration).TotalMilliseconds));
        }
        return chosen.Count == 1
            ? chosen[0]
            : throw new ToolException("--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration");
    }
}
