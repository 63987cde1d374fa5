using System.Text.Json;
using Gregor.CodeGen;
using Gregor.Protocol.Tests.Support;

namespace Gregor.Protocol.Tests.Messages;

/// <summary>
/// Checks every definition in <c>Definitions/*.msg</c> against Kafka's own message JSON, so a
/// definition that is wrong the same way on both sides of a round trip still fails: API key,
/// kind, valid and flexible versions, and for every field (recursively, common structs included)
/// its name, position, type, versions, nullable versions, tag and tagged versions, default and
/// ignorability. The reference is the <c>shared/kafka-reference/message</c> folder beside the
/// repository (<c>../shared</c> from its root, or beside one of its parent folders).
/// </summary>
public sealed class DefinitionConformanceTests
{
    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static string ReferenceDirectory()
    {
        for (var dir = Directory.GetParent(Definitions.RepositoryRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "kafka-reference", "message");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"Kafka's message definitions (shared/kafka-reference/message) not found beside {Definitions.RepositoryRoot} or its parents");
    }

    private static IEnumerable<string> DefinitionFileNames() =>
        Directory.GetFiles(Generator.DefinitionsDirectory(Definitions.RepositoryRoot), "*.msg").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal);

    public static TheoryData<string> DefinitionFiles() => [.. DefinitionFileNames()];

    [Theory]
    [MemberData(nameof(DefinitionFiles))]
    public void Definition_matches_Kafkas_json(string fileName)
    {
        var path = Path.Combine(Generator.DefinitionsDirectory(Definitions.RepositoryRoot), fileName);
        var messages = DefinitionParser.Parse(File.ReadAllText(path), fileName);
        Assert.NotEmpty(messages);
        var differences = new List<string>();
        foreach (var message in messages)
        {
            var jsonPath = Path.Combine(ReferenceDirectory(), message.Name + ".json");
            if (!File.Exists(jsonPath))
            {
                differences.Add($"{message.Name}: Kafka defines no such message");
                continue;
            }
            using var json = JsonDocument.Parse(File.ReadAllText(jsonPath), JsonOptions);
            Compare(message, json.RootElement, differences);
        }
        Assert.True(differences.Count == 0, $"{fileName} differs from Kafka's definition:\n" + string.Join("\n", differences));
    }

    [Fact]
    public void Every_request_and_response_Kafka_defines_has_a_definition()
    {
        var defined = DefinitionFileNames()
            .SelectMany(name => DefinitionParser.Parse(File.ReadAllText(Path.Combine(Generator.DefinitionsDirectory(Definitions.RepositoryRoot), name)), name))
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
        var missing = Directory.GetFiles(ReferenceDirectory(), "*.json")
            .Select(p => Path.GetFileNameWithoutExtension(p)!)
            .Where(name => name.EndsWith("Request", StringComparison.Ordinal) || name.EndsWith("Response", StringComparison.Ordinal))
            .Where(name => name is not ("RequestHeader" or "ResponseHeader"))
            .Where(name => !defined.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "Kafka messages without a definition: " + string.Join(", ", missing));
    }

    private static void Compare(MessageDefinition message, JsonElement json, List<string> differences)
    {
        void Expect(string what, string ours, string kafkas)
        {
            if (ours != kafkas)
            {
                differences.Add($"{message.Name}: {what} is {ours}, Kafka's is {kafkas}");
            }
        }
        Expect("api key", message.ApiKey.ToString(System.Globalization.CultureInfo.InvariantCulture), json.GetProperty("apiKey").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Expect("kind", message.Kind, json.GetProperty("type").GetString()!);
        Expect("valid versions", message.ValidVersions.ToString(), Range(json, "validVersions"));
        Expect("flexible versions", message.FlexibleVersions.ToString(), Range(json, "flexibleVersions"));
        CompareFields(message.Name, message.Fields, json.GetProperty("fields"), message.ValidVersions, differences);

        var kafkaStructs = json.TryGetProperty("commonStructs", out var structs) ? structs.EnumerateArray().ToList() : [];
        Expect("common structs", string.Join(",", message.CommonStructs.Select(s => s.Name)), string.Join(",", kafkaStructs.Select(s => s.GetProperty("name").GetString())));
        foreach (var kafkaStruct in kafkaStructs)
        {
            var name = kafkaStruct.GetProperty("name").GetString()!;
            if (message.CommonStructs.FirstOrDefault(s => s.Name == name) is { } ours)
            {
                CompareFields($"{message.Name}.{name}", ours.Fields, kafkaStruct.GetProperty("fields"), message.ValidVersions, differences);
            }
        }
    }

    private static void CompareFields(string where, List<FieldDefinition> ours, JsonElement kafkas, VersionRange valid, List<string> differences)
    {
        var theirs = kafkas.EnumerateArray().ToList();
        var ourNames = string.Join(",", ours.Select(f => f.Name));
        var theirNames = string.Join(",", theirs.Select(f => f.GetProperty("name").GetString()));
        if (ourNames != theirNames)
        {
            differences.Add($"{where}: fields are [{ourNames}], Kafka's are [{theirNames}]");
            return;
        }
        for (var i = 0; i < ours.Count; i++)
        {
            var field = ours[i];
            var json = theirs[i];
            var at = $"{where}.{field.Name}";
            void Expect(string what, string? mine, string? kafka)
            {
                if (mine != kafka)
                {
                    differences.Add($"{at}: {what} is {mine ?? "(none)"}, Kafka's is {kafka ?? "(none)"}");
                }
            }
            Expect("type", field.Type, json.GetProperty("type").GetString());
            Expect("versions", field.Versions.ToString(), Range(json, "versions"));
            Expect("nullable versions", field.NullableVersions.ToString(), Range(json, "nullableVersions"));
            Expect("tag", field.Tag?.ToString(System.Globalization.CultureInfo.InvariantCulture), json.TryGetProperty("tag", out var tag) ? tag.ToString() : null);
            Expect("tagged versions", field.TaggedVersions.ToString(), Range(json, "taggedVersions"));
            Expect("default", NormalizeDefault(field.Default), NormalizeDefault(json.TryGetProperty("default", out var d) ? d.ToString() : null));
            // Kafka's generator treats a field as ignorable when it says so, and a tagged field always is.
            Expect("ignorable", field.Ignorable.ToString(), (json.TryGetProperty("ignorable", out var ignorable) && ignorable.GetBoolean()).ToString());
            var children = json.TryGetProperty("fields", out var nested) ? nested : default;
            if (children.ValueKind == JsonValueKind.Array || field.Fields.Count > 0)
            {
                if (children.ValueKind != JsonValueKind.Array)
                {
                    differences.Add($"{at}: has inline fields, Kafka's refers to a common struct");
                    continue;
                }
                CompareFields(at, field.Fields, children, valid, differences);
            }
        }
    }

    /// <summary>A version range as Gregor's parser prints it ("none" when absent).</summary>
    private static string Range(JsonElement json, string property) =>
        json.TryGetProperty(property, out var value) ? VersionRange.Parse(value.GetString()!).ToString() : VersionRange.None.ToString();

    /// <summary>Defaults compared by value: Kafka writes some numbers in hex and booleans in either case.</summary>
    private static string? NormalizeDefault(string? value)
    {
        if (value is null)
        {
            return null;
        }
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(value[2..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var hex))
        {
            return hex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return value.ToLowerInvariant();
    }
}
