namespace Gregor.CodeGen;

/// <summary>An inclusive version range; "none" is the empty range (Min &gt; Max).</summary>
public readonly record struct VersionRange(short Min, short Max)
{
    public static readonly VersionRange None = new(short.MaxValue, short.MinValue);

    public bool IsEmpty => Min > Max;

    public bool Contains(short version) => version >= Min && version <= Max;

    /// <summary>Parses "3+", "3-5", "3" or "none".</summary>
    public static VersionRange Parse(string text)
    {
        if (text == "none")
        {
            return None;
        }
        if (text.EndsWith('+'))
        {
            return new VersionRange(short.Parse(text[..^1]), short.MaxValue);
        }
        var dash = text.IndexOf('-');
        return dash < 0
            ? new VersionRange(short.Parse(text), short.Parse(text))
            : new VersionRange(short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
    }

    public VersionRange Intersect(VersionRange other) =>
        new(Math.Max(Min, other.Min), Math.Min(Max, other.Max));

    public override string ToString() => IsEmpty ? "none" : Max == short.MaxValue ? $"{Min}+" : Min == Max ? $"{Min}" : $"{Min}-{Max}";
}

public sealed class FieldDefinition
{
    public required string Name { get; init; }

    /// <summary>int8, int16, int32, int64, uint16, uint32, float64, bool, uuid, string, bytes, records, []T or a struct name.</summary>
    public required string Type { get; init; }

    public required VersionRange Versions { get; init; }

    public VersionRange NullableVersions { get; init; } = VersionRange.None;

    public int? Tag { get; init; }

    public VersionRange TaggedVersions { get; init; } = VersionRange.None;

    public string? Default { get; init; }

    public bool Ignorable { get; init; }

    public List<FieldDefinition> Fields { get; } = [];

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);

    public string ElementType => IsArray ? Type[2..] : Type;
}

public sealed class StructDefinition
{
    public required string Name { get; init; }

    public required List<FieldDefinition> Fields { get; init; }
}

public sealed class MessageDefinition
{
    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required short ApiKey { get; init; }

    public required VersionRange ValidVersions { get; init; }

    public required VersionRange FlexibleVersions { get; init; }

    public List<FieldDefinition> Fields { get; } = [];

    /// <summary>Common structs declared with "struct", referenced by name.</summary>
    public List<StructDefinition> CommonStructs { get; } = [];
}
