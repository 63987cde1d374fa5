using System.CommandLine;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Wires a tool's action into System.CommandLine and turns every expected failure into one
/// line on stderr — "gregor TOOL: MESSAGE" — with exit code 1, as Kafka's tools exit 1 on error.
/// </summary>
public static class ToolAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var name = command.Name;
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
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
        });
    }

    public static int Fail(string tool, string message)
    {
        Console.Error.WriteLine($"gregor {tool}: error: {message}");
        return 1;
    }
}
