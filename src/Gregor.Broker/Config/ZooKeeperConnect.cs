using System.Globalization;

namespace Gregor.Broker.Config;

/// <summary>
/// A parsed <c>zookeeper.connect</c>: <c>host:port[,host:port...][/chroot]</c>, servers
/// separated by commas or semicolons. A server without a port uses ZooKeeper's 2181. The chroot
/// is everything from the first <c>/</c>; a bare <c>/</c> means no chroot, and a chroot may not
/// end with <c>/</c> (as ZooKeeper's own parser requires).
/// </summary>
public sealed record ZooKeeperConnect(IReadOnlyList<ZooKeeperServer> Servers, string? Chroot)
{
    /// <summary>ZooKeeper's client port, used when a server is given without one.</summary>
    public const int DefaultPort = 2181;

    private const string Key = "zookeeper.connect";

    /// <summary>The connect string in canonical form (servers comma separated, then the chroot).</summary>
    public override string ToString() => string.Join(",", Servers) + Chroot;

    /// <summary>Parses a connect string.</summary>
    /// <exception cref="ConfigException">No server, an empty host, a bad port, or a bad chroot.</exception>
    public static ZooKeeperConnect Parse(string text)
    {
        var servers = text.Trim();
        string? chroot = null;
        var slash = servers.IndexOf('/');
        if (slash >= 0)
        {
            chroot = servers[slash..];
            servers = servers[..slash];
            if (chroot == "/")
            {
                chroot = null;
            }
            else if (chroot.EndsWith('/') || chroot.Contains("//", StringComparison.Ordinal))
            {
                throw new ConfigException(Key, text, $"invalid chroot path '{chroot}'");
            }
        }
        var list = new List<ZooKeeperServer>();
        foreach (var part in servers.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            list.Add(ParseServer(text, part));
        }
        if (list.Count == 0)
        {
            throw new ConfigException(Key, text, "no ZooKeeper server given");
        }
        return new ZooKeeperConnect(list, chroot);
    }

    private static ZooKeeperServer ParseServer(string text, string part)
    {
        string host;
        string? portText = null;
        if (part.StartsWith('['))
        {
            var close = part.IndexOf(']');
            if (close < 0)
            {
                throw new ConfigException(Key, text, $"unclosed '[' in '{part}'");
            }
            host = part[1..close];
            var rest = part[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new ConfigException(Key, text, $"expected host:port, got '{part}'");
                }
                portText = rest[1..];
            }
        }
        else
        {
            var colon = part.LastIndexOf(':');
            host = colon < 0 ? part : part[..colon];
            portText = colon < 0 ? null : part[(colon + 1)..];
        }
        if (host.Length == 0)
        {
            throw new ConfigException(Key, text, $"missing host in '{part}'");
        }
        var port = DefaultPort;
        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new ConfigException(Key, text, $"invalid port '{portText}' in '{part}'");
        }
        return new ZooKeeperServer(host, port);
    }
}

/// <summary>One ZooKeeper server of <see cref="ZooKeeperConnect"/>.</summary>
public sealed record ZooKeeperServer(string Host, int Port)
{
    /// <summary><c>host:port</c>, brackets around an IPv6 host.</summary>
    public override string ToString() =>
        (Host.Contains(':') ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);
}
