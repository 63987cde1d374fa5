namespace Gregor.CodeGen;

/// <summary>
/// Parses Gregor's message definition format (src/Gregor.Protocol/Definitions/*.msg):
/// <code>
/// # comment
/// request MetadataRequest key=3 versions=0-12 flexible=9+
///   Topics []MetadataRequestTopic 0+ nullable=1+        (a field: name, type, versions, options)
///     Name string 0+ nullable=10+                        (children indented two more spaces)
///   struct LeaderIdAndEpoch                              (a common struct, referenced by name)
///     LeaderId int32 0+ default=-1
/// </code>
/// Field options: nullable=RANGE, tag=N with tagged=RANGE, default=VALUE, ignorable.
/// </summary>
public static class DefinitionParser
{
    public static List<MessageDefinition> Parse(string text, string fileName)
    {
        var messages = new List<MessageDefinition>();
        MessageDefinition? current = null;
        // Stack of (indent, children list) for attaching nested fields.
        var stack = new List<(int Indent, List<FieldDefinition> Children)>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r', ' ');
            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }
            var indent = line.Length - trimmed.Length;
            var words = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string Where() => $"{fileName}:{lineNumber}";
            if (indent == 0)
            {
                var options = ParseOptions(words.Skip(2));
                current = new MessageDefinition
                {
                    Kind = words[0],
                    Name = words[1],
                    ApiKey = short.Parse(options["key"]!),
                    ValidVersions = VersionRange.Parse(options["versions"]!),
                    FlexibleVersions = VersionRange.Parse(options["flexible"]!),
                };
                messages.Add(current);
                stack.Clear();
                stack.Add((0, current.Fields));
                continue;
            }
            if (current is null)
            {
                throw new FormatException($"{Where()}: field outside a message");
            }
            while (stack.Count > 1 && stack[^1].Indent >= indent)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            if (words[0] == "struct")
            {
                var common = new StructDefinition { Name = words[1], Fields = [] };
                current.CommonStructs.Add(common);
                stack.Add((indent, common.Fields));
                continue;
            }
            var fieldOptions = ParseOptions(words.Skip(3));
            var field = new FieldDefinition
            {
                Name = words[0],
                Type = words[1],
                Versions = VersionRange.Parse(words[2]),
                NullableVersions = fieldOptions.TryGetValue("nullable", out var n) ? VersionRange.Parse(n!) : VersionRange.None,
                Tag = fieldOptions.TryGetValue("tag", out var t) ? int.Parse(t!) : null,
                TaggedVersions = fieldOptions.TryGetValue("tagged", out var tv) ? VersionRange.Parse(tv!) : VersionRange.None,
                Default = fieldOptions.TryGetValue("default", out var d) ? d : null,
                Ignorable = fieldOptions.ContainsKey("ignorable"),
            };
            stack[^1].Children.Add(field);
            stack.Add((indent, field.Fields));
        }
        return messages;
    }

    private static Dictionary<string, string?> ParseOptions(IEnumerable<string> words)
    {
        var options = new Dictionary<string, string?>();
        foreach (var word in words)
        {
            var eq = word.IndexOf('=');
            if (eq < 0)
            {
                options[word] = null;
            }
            else
            {
                options[word[..eq]] = word[(eq + 1)..];
            }
        }
        return options;
    }
}
