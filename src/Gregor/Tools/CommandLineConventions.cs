using System.CommandLine;
using System.Text.RegularExpressions;

namespace Gregor.Tools;

/// <summary>
/// What every `gregor` command shares on its command line, as Kafka's tools do: <c>--version</c>
/// on each command, and a command line that does not parse (an unknown option, a missing or
/// malformed argument) answered with one line on stderr naming the problem and pointing to
/// <c>--help</c>, exit code 1 — not the whole help text.
/// </summary>
public static partial class CommandLineConventions
{
    public static void Apply(RootCommand root)
    {
        foreach (var command in root.Subcommands)
        {
            command.Options.Add(new VersionOption());
        }
    }

    /// <summary>The exit code when <paramref name="parse"/> has errors (after reporting the first), else null.</summary>
    public static int? ReportErrors(ParseResult parse)
    {
        if (parse.Errors.Count == 0)
        {
            return null;
        }
        var path = string.Join(' ', CommandPath(parse.CommandResult.Command));
        // An unknown word explains the rest ("Required command was not provided" after a misspelt command).
        var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
        var message = first.Message.TrimEnd('.');
        var malformed = CannotParse().Match(message);
        if (malformed.Success)
        {
            // The library names the CLR type (System.Nullable`1[System.Int32]), which says nothing to an operator.
            message = $"invalid value '{malformed.Groups[1].Value}' for {malformed.Groups[2].Value}";
        }
        Console.Error.WriteLine($"{path}: error: {message} (see '{path} --help')");
        return 1;
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(c.Name);
        }
        names.Add("gregor");
        names.Reverse();
        return names;
    }

    [GeneratedRegex("^Cannot parse argument '(.*)' for option '(.*)' as expected type")]
    private static partial Regex CannotParse();
}
