namespace Gregor.EndToEnd.Tests.Support;

/// <summary>Finds the repository and the built gregor executable from the test assembly's location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug, whichever this test assembly was built as.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string GregorDll => Path.Combine(Root, "src", "Gregor", "bin", Configuration, "net10.0", "gregor.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gregor.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("Gregor.slnx not found above " + AppContext.BaseDirectory);
    }
}
