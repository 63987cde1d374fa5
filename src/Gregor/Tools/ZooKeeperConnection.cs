using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gregor.Tools;

/// <summary>
/// A tool's ZooKeeper session: connects to "HOST:PORT[,HOST:PORT...][/chroot]" within Kafka's default
/// zookeeper.connection.timeout.ms (18 s) and turns a failed connect into the tool's one-line error naming the
/// servers. Warnings of the client (a lost connection, a malformed znode skipped) go to stderr, never into the
/// tool's output.
/// </summary>
public static class ZooKeeperConnection
{
    public static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(18);

    /// <summary>Warnings and errors on stderr, one line each.</summary>
    public static ILoggerFactory StderrLogging() =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            })
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));

    public static async Task<ZooKeeperClient> ConnectAsync(string connectString, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            return await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
            {
                ConnectString = connectString,
                ConnectionTimeout = ConnectionTimeout,
                Logger = logger,
            }, cancellationToken);
        }
        catch (ZooKeeperConnectException e)
        {
            throw new ToolException($"cannot reach ZooKeeper at {connectString} ({e.Message}) — is ZooKeeper running?");
        }
    }
}
