using System.CommandLine;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Wires a tool's action into System.CommandLine and turns every expected failure into one
/// line on stderr — "gregor TOOL: MESSAGE" — with exit code 1, as Kafka's tools exit 1 on error.
/// An unexpected exception is one such line too, naming its type; its stack trace is printed
/// only with --verbose (added to every tool that does not already have it).
/// </summary>
public static class ToolAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var name = command.Name;
        var verbose = command.Options.OfType<Option<bool>>().FirstOrDefault(o => o.Name == "--verbose");
        if (verbose is null)
        {
            verbose = new Option<bool>("--verbose") { Description = "On an unexpected failure, print its details." };
            command.Options.Add(verbose);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                BundledLibrdkafka.Load();
                return await action(parse, cancellationToken);
            }
            catch (ToolException e)
            {
                return Fail(name, e.Message);
            }
            catch (KafkaException e)
            {
                return Fail(name, KafkaClients.Describe(e.Error));
            }
            catch (ArgumentException e)
            {
                // Confluent.Kafka reports unknown or invalid client properties this way.
                return Fail(name, e.Message);
            }
            catch (IOException e)
            {
                return Fail(name, e.Message);
            }
            catch (UnauthorizedAccessException e)
            {
                return Fail(name, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (parse.GetValue(verbose))
                {
                    Console.Error.WriteLine(e);
                }
                return Fail(name, $"unexpected {e.GetType().Name}: {e.Message}" + (parse.GetValue(verbose) ? "" : " (--verbose shows the details)"));
            }
        });
    }

    public static int Fail(string tool, string message)
    {
        Console.Error.WriteLine($"gregor {tool}: error: {message}");
        return 1;
    }
}
