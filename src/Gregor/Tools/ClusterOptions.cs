using System.CommandLine;

namespace Gregor.Tools;

/// <summary>
/// The options every tool shares: <c>--bootstrap-server</c> (default localhost:9092) and
/// <c>--command-config</c> (a client properties file), read into one librdkafka configuration.
/// A tool whose Kafka counterpart names the file option otherwise (kafka-leader-election.sh's
/// <c>--admin.config</c>) passes that name.
/// </summary>
public sealed class ClusterOptions(string configOption = "--command-config")
{
    public Option<string> BootstrapServer { get; } = new("--bootstrap-server")
    {
        Description = "The cluster to connect to: HOST:PORT[,HOST:PORT...].",
        DefaultValueFactory = _ => "localhost:9092",
    };

    public Option<string?> CommandConfig { get; } = new(configOption)
    {
        Description = "A properties file of client settings (security, timeouts), Kafka's key names.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(BootstrapServer);
        command.Options.Add(CommandConfig);
    }

    /// <summary>
    /// The client configuration: bootstrap.servers, then the command-config file, then
    /// <paramref name="extra"/> (the tool's own client options, which <paramref name="extraSource"/>
    /// names in errors).
    /// </summary>
    public Dictionary<string, string> Read(ParseResult parse, IEnumerable<KeyValuePair<string, string>>? extra = null, string extraSource = "client property")
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = parse.GetValue(BootstrapServer) ?? "localhost:9092",
        };
        var file = parse.GetValue(CommandConfig);
        if (file is not null)
        {
            ClientProperties.AddTo(config, ClientProperties.LoadFile(file), $"{configOption} {file}");
        }
        if (extra is not null)
        {
            ClientProperties.AddTo(config, extra, extraSource);
        }
        return config;
    }
}
