using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gregor.Tools;

/// <summary>
/// A tool's ZooKeeper session: connects to "HOST:PORT[,HOST:PORT...][/chroot]" within 30 s (the connection timeout
/// Kafka's TopicCommand used with --zookeeper) and turns a failed connect into the tool's one-line error naming the
/// servers. Errors (a malformed znode skipped) go to stderr, never into the tool's output; the client's warnings
/// are not shown, so that an unreachable server is one line rather than one per connect round.
/// </summary>
public static class ZooKeeperConnection
{
    public static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Errors on stderr, one line each.</summary>
    public static ILoggerFactory StderrLogging() =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Error)
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
            throw new ToolException($"cannot reach ZooKeeper at {connectString}: {e.Message} — is ZooKeeper running?");
        }
    }
}
