using Gregor.CodeGen;

namespace Gregor.Protocol.Tests.Support;

/// <summary>The repository's message definitions, parsed with the generator's own parser, by message name.</summary>
public static class Definitions
{
    public static readonly string RepositoryRoot = Generator.FindRepositoryRoot(AppContext.BaseDirectory);

    private static readonly Dictionary<string, MessageDefinition> ByName = Load();

    public static MessageDefinition Get(string messageName) => ByName[messageName];

    /// <summary>The fields of a struct-typed field: inline, or the first inline/common definition of that struct name
    /// (the generator makes one class per struct name).</summary>
    public static List<FieldDefinition> StructFields(MessageDefinition message, FieldDefinition field)
    {
        var common = message.CommonStructs.FirstOrDefault(s => s.Name == field.ElementType);
        if (common is not null)
        {
            return common.Fields;
        }
        return FirstInline(message.Fields, field.ElementType) ?? throw new InvalidOperationException($"{message.Name}: no struct {field.ElementType}");
    }

    private static List<FieldDefinition>? FirstInline(List<FieldDefinition> fields, string structName)
    {
        foreach (var field in fields)
        {
            if (field.Fields.Count > 0)
            {
                if (field.ElementType == structName)
                {
                    return field.Fields;
                }
                if (FirstInline(field.Fields, structName) is { } nested)
                {
                    return nested;
                }
            }
        }
        return null;
    }

    private static Dictionary<string, MessageDefinition> Load()
    {
        var result = new Dictionary<string, MessageDefinition>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(Generator.DefinitionsDirectory(RepositoryRoot), "*.msg"))
        {
            foreach (var message in DefinitionParser.Parse(File.ReadAllText(path), Path.GetFileName(path)))
            {
                result.Add(message.Name, message);
            }
        }
        return result;
    }
}
