using Gregor.CodeGen;

namespace Gregor.Protocol.Tests;

/// <summary>
/// Proves the committed generated sources are exactly what the generator makes from the
/// committed definitions today, so a definition change without regeneration (or a hand edit
/// of a generated file) fails the build's tests.
/// </summary>
public sealed class GeneratedCodeStalenessTests
{
    private static readonly string Root = Generator.FindRepositoryRoot(AppContext.BaseDirectory);

    [Fact]
    public void EveryGeneratedFileMatchesTheGeneratorOutput()
    {
        var expected = Generator.Generate(Generator.DefinitionsDirectory(Root));
        var outputDirectory = Generator.OutputDirectory(Root);
        Assert.NotEmpty(expected);
        var stale = new List<string>();
        foreach (var (name, text) in expected)
        {
            var path = Path.Combine(outputDirectory, name);
            if (!File.Exists(path))
            {
                stale.Add($"{name} is missing");
            }
            else if (File.ReadAllText(path) != text)
            {
                stale.Add($"{name} differs");
            }
        }
        Assert.True(stale.Count == 0, "Stale generated code; run `dotnet run --project tools/Gregor.CodeGen`:\n" + string.Join("\n", stale));
    }

    [Fact]
    public void NoGeneratedFileExistsWithoutADefinition()
    {
        var expected = Generator.Generate(Generator.DefinitionsDirectory(Root));
        var extra = Directory.GetFiles(Generator.OutputDirectory(Root), "*.g.cs")
            .Select(Path.GetFileName)
            .Where(name => !expected.ContainsKey(name!))
            .ToList();
        Assert.True(extra.Count == 0, "Generated files without a definition: " + string.Join(", ", extra));
    }
}
