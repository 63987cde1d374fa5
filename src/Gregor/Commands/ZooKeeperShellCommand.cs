using System.CommandLine;
using System.Text;
using Gregor.Tools;
using Gregor.ZooKeeper;

namespace Gregor.Commands;

/// <summary>
/// `gregor zookeeper-shell HOST:PORT[/chroot] COMMAND [ARGS]`, as Kafka's zookeeper-shell.sh (ZooKeeper's own shell):
/// ls PATH prints the children as "[a, b]" (sorted), get PATH the data as UTF-8 text, stat PATH the stat lines,
/// create PATH [DATA] prints "Created PATH", delete PATH prints nothing. Without a command, one command per line is
/// read from stdin. A failed command prints ZooKeeper's message ("Node does not exist: /path") on stderr and the
/// tool exits 1; an unreachable server is the tools' one-line error.
/// </summary>
public static class ZooKeeperShellCommand
{
    public static Command Create()
    {
        var server = new Argument<string>("server") { Description = "The ZooKeeper servers: HOST:PORT[,HOST:PORT...][/chroot]." };
        var words = new Argument<string[]>("command")
        {
            Description = "ls PATH | get PATH | stat PATH | create PATH [DATA] | delete PATH (none: read commands from stdin).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("zookeeper-shell", "Run ZooKeeper shell commands (ls, get, stat, create, delete), like zookeeper-shell.sh.")
        {
            server, words,
        };
        ToolAction.Set(command, async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(words) ?? [];
            var commands = given.Length > 0 ? [given] : ReadCommands(Console.In);
            using var logging = ZooKeeperConnection.StderrLogging();
            await using var zk = await ZooKeeperConnection.ConnectAsync(parse.GetValue(server)!, logging.CreateLogger("zookeeper"), cancellationToken);
            var exitCode = 0;
            foreach (var line in commands)
            {
                if (!await RunAsync(zk, line, cancellationToken))
                {
                    exitCode = 1;
                }
            }
            return exitCode;
        });
        return command;
    }

    private static List<string[]> ReadCommands(TextReader input)
    {
        var commands = new List<string[]>();
        while (input.ReadLine() is { } line)
        {
            var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length > 0)
            {
                commands.Add(words);
            }
        }
        return commands;
    }

    /// <summary>Runs one command; false (after printing why on stderr) when it failed.</summary>
    private static async Task<bool> RunAsync(ZooKeeperClient zk, string[] words, CancellationToken cancellationToken)
    {
        var (name, path) = (words[0], words.Length > 1 ? words[1] : null);
        var expected = name switch
        {
            "ls" or "get" or "stat" or "delete" => 2,
            "create" => words.Length == 3 ? 3 : 2,
            _ => 0,
        };
        if (expected == 0)
        {
            Console.Error.WriteLine($"Unknown command: {name} (ls, get, stat, create, delete)");
            return false;
        }
        if (words.Length != expected || path is null)
        {
            Console.Error.WriteLine($"Usage: {Usage(name)}");
            return false;
        }
        try
        {
            switch (name)
            {
                case "ls":
                    var (children, _) = await zk.GetChildrenAsync(path, cancellationToken: cancellationToken);
                    Console.WriteLine($"[{string.Join(", ", children.Order(StringComparer.Ordinal))}]");
                    break;
                case "get":
                    var (data, _) = await zk.GetDataAsync(path, cancellationToken: cancellationToken);
                    Console.WriteLine(Encoding.UTF8.GetString(data));
                    break;
                case "stat":
                    var stat = await zk.ExistsAsync(path, cancellationToken: cancellationToken)
                        ?? throw new ZooKeeperException(ZkErrorCode.NoNode, path);
                    foreach (var line in ZkStatText.Lines(stat))
                    {
                        Console.WriteLine(line);
                    }
                    break;
                case "create":
                    var created = await zk.CreateAsync(path, words.Length == 3 ? Encoding.UTF8.GetBytes(words[2]) : ReadOnlyMemory<byte>.Empty,
                        CreateMode.Persistent, cancellationToken);
                    Console.WriteLine($"Created {created}");
                    break;
                default:
                    await zk.DeleteAsync(path, -1, cancellationToken);
                    break;
            }
            return true;
        }
        catch (ZooKeeperException e)
        {
            Console.Error.WriteLine(Message(e.Code, path));
            return false;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return false;
        }
    }

    private static string Usage(string command) => command == "create" ? "create PATH [DATA]" : $"{command} PATH";

    /// <summary>ZooKeeper's shell wording for the errors a command meets (CliWrapperException).</summary>
    private static string Message(ZkErrorCode code, string path) => code switch
    {
        ZkErrorCode.NoNode => $"Node does not exist: {path}",
        ZkErrorCode.NodeExists => $"Node already exists: {path}",
        ZkErrorCode.NotEmpty => $"Node not empty: {path}",
        ZkErrorCode.NoChildrenForEphemerals => $"Ephemerals cannot have children: {path}",
        ZkErrorCode.NoAuth => $"Insufficient permission : {path}",
        ZkErrorCode.BadVersion => $"version No is not valid : {path}",
        _ => $"KeeperErrorCode = {code} for {path}",
    };
}
