using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gregor.Broker.Config;
using Gregor.Broker.Server;
using Microsoft.Extensions.Logging;

namespace Gregor.Commands;

/// <summary>
/// `gregor server [CONFIG_FILE] [--override KEY=VALUE]...`, as kafka-server-start.sh: loads the
/// properties file (default config/server.properties), applies overrides, validates everything
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
            Description = "The broker's properties file (default: config/server.properties).",
            Arity = ArgumentArity.ZeroOrOne,
        };
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
        configPath ??= DefaultConfigPath();
        if (configPath is null || !File.Exists(configPath))
        {
            await Console.Error.WriteLineAsync($"gregor server: configuration file {configPath ?? "config/server.properties"} not found");
            return 1;
        }
        BrokerConfigLoadResult loaded;
        try
        {
            loaded = BrokerConfig.Load(configPath, overrides);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"gregor server: {e.Message}");
            return 1;
        }
        var config = loaded.Config;
        using var loggerFactory = Logging.Create(config.LogLevel);
        var logger = loggerFactory.CreateLogger("Gregor.Server");
        foreach (var warning in loaded.Warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }
        logger.LogInformation("Effective configuration ({Path}): {Values}", configPath,
            string.Join(", ", config.EffectiveValues().Select(kv => $"{kv.Key}={kv.Value}")));

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

    /// <summary>config/server.properties in the working directory, else in the repository the executable was built in.</summary>
    private static string? DefaultConfigPath()
    {
        var relative = Path.Combine("config", "server.properties");
        if (File.Exists(relative))
        {
            return Path.GetFullPath(relative);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
