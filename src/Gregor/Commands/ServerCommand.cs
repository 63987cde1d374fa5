using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gregor.Broker.Config;
using Gregor.Broker.Server;
using Microsoft.Extensions.Logging;

namespace Gregor.Commands;

/// <summary>
/// `gregor server [CONFIG_FILE] [--override KEY=VALUE]...`, as kafka-server-start.sh: loads the
/// properties file (default config/server.properties in the working directory, else the same
/// configuration built into the program), applies overrides, validates everything
/// before binding any port (exit code 1 with a message naming the key on a bad value), then
/// runs until SIGINT, SIGTERM or SIGHUP and stops cleanly (SIGHUP too, as Kafka's JVM does: a
/// closed terminal must not cost a recovery on the next start).
/// </summary>
public static class ServerCommand
{
    public static Command Create()
    {
        var configFile = new Argument<string?>("CONFIG_FILE")
        {
            Description = "The broker's properties file (default: config/server.properties if present, else the built-in defaults, which are the same).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        // A misspelt option would otherwise be taken for the file's name.
        configFile.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: ['-', ..] token }])
            {
                result.AddError($"Unrecognized command or argument '{token}'.");
            }
        });
        var overrides = new Option<string[]>("--override")
        {
            Description = "Overrides a property of the file: KEY=VALUE. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("server", "Starts a broker, like kafka-server-start.sh.") { configFile, overrides };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(configFile), parse.GetValue(overrides) ?? [], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? configPath, string[] overrides, CancellationToken cancellationToken)
    {
        // No file named: config/server.properties in the working directory, else the same
        // configuration built in. A file named but missing is an error.
        var builtIn = false;
        if (configPath is null)
        {
            configPath = Path.GetFullPath(DefaultConfigFile);
            builtIn = !File.Exists(configPath);
        }
        else if (!File.Exists(configPath))
        {
            await Console.Error.WriteLineAsync($"gregor server: configuration file {configPath} not found");
            return 1;
        }
        BrokerConfigLoadResult loaded;
        try
        {
            loaded = builtIn ? BrokerConfig.LoadBuiltIn(overrides) : BrokerConfig.Load(configPath, overrides);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"gregor server: {e.Message}");
            return 1;
        }
        var config = loaded.Config;
        using var loggerFactory = Logging.Create(config.LogLevel);
        var logger = loggerFactory.CreateLogger("Gregor.Server");
        if (builtIn)
        {
            logger.LogInformation("No configuration file given and no {Default} in {Directory}: starting on the built-in defaults (the shipped config/server.properties)",
                DefaultConfigFile, Environment.CurrentDirectory);
        }
        else
        {
            logger.LogInformation("Configuration file {Path}", configPath);
        }
        foreach (var warning in loaded.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => { context.Cancel = true; stop.Cancel(); });

        BrokerServer server;
        try
        {
            server = new BrokerServer(config, loggerFactory);
            server.Start();
        }
        catch (ConfigException e)
        {
            logger.LogCritical("{Message}", e.Message);
            return 1;
        }
        catch (StartupException e)
        {
            logger.LogCritical("Cannot start: {Message}", e.Message);
            return 1;
        }
        catch (SocketException e)
        {
            logger.LogCritical("Cannot listen on {Listeners}: {Error}", string.Join(",", config.EffectiveListeners), e.Message);
            return 1;
        }
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            logger.LogInformation("Shutting down");
        }
        finally
        {
            await server.DisposeAsync();
        }
        return 0;
    }

    /// <summary>Where a broker started without a file looks for one, relative to the working directory.</summary>
    private static readonly string DefaultConfigFile = Path.Combine("config", "server.properties");
}
