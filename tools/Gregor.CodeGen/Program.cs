using Gregor.CodeGen;

// Regenerates src/Gregor.Protocol/Messages/Generated from src/Gregor.Protocol/Definitions.
// Usage: dotnet run --project tools/Gregor.CodeGen
var root = Generator.FindRepositoryRoot(args.Length > 0 ? args[0] : Directory.GetCurrentDirectory());
var output = Generator.OutputDirectory(root);
Directory.CreateDirectory(output);
var files = Generator.Generate(Generator.DefinitionsDirectory(root));
foreach (var stale in Directory.GetFiles(output, "*.g.cs"))
{
    if (!files.ContainsKey(Path.GetFileName(stale)))
    {
        File.Delete(stale);
    }
}
foreach (var (name, text) in files)
{
    File.WriteAllText(Path.Combine(output, name), text);
}
Console.WriteLine($"wrote {files.Count} files to {Path.GetRelativePath(root, output)}");
