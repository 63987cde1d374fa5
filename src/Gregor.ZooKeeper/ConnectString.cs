using System.Net;

namespace Gregor.ZooKeeper;

/// <summary>"h1:p1,h2:p2/chroot" parsed: the hosts (port 2181 when none) and the chroot ("" for none, never a trailing '/').</summary>
internal sealed record ConnectString(IReadOnlyList<DnsEndPoint> Hosts, string Chroot)
{
    public const int DefaultPort = 2181;

    public static ConnectString Parse(string value)
    {
        var slash = value.IndexOf('/');
        var hostPart = slash < 0 ? value : value[..slash];
        var chroot = slash < 0 ? "" : value[slash..].TrimEnd('/');
        if (chroot.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid chroot in connect string '{value}'", nameof(value));
        }
        var hosts = new List<DnsEndPoint>();
        foreach (var entry in hostPart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon < 0)
            {
                hosts.Add(new DnsEndPoint(entry, DefaultPort));
            }
            else if (int.TryParse(entry[(colon + 1)..], out var port) && port is > 0 and < 65536 && colon > 0)
            {
                hosts.Add(new DnsEndPoint(entry[..colon].Trim('[', ']'), port));
            }
            else
            {
                throw new ArgumentException($"invalid host '{entry}' in connect string '{value}'", nameof(value));
            }
        }
        if (hosts.Count == 0)
        {
            throw new ArgumentException($"no host in connect string '{value}'", nameof(value));
        }
        return new ConnectString(hosts, chroot);
    }

    /// <summary>The path on the server of a client path.</summary>
    public string ToServer(string path)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            throw new ArgumentException($"path '{path}' must start with '/'", nameof(path));
        }
        return Chroot.Length == 0 ? path : path == "/" ? Chroot : Chroot + path;
    }

    /// <summary>The client path of a server path (the chroot stripped).</summary>
    public string ToClient(string serverPath)
    {
        if (Chroot.Length == 0 || !serverPath.StartsWith(Chroot, StringComparison.Ordinal))
        {
            return serverPath;
        }
        var rest = serverPath[Chroot.Length..];
        return rest.Length == 0 ? "/" : rest;
    }

    public override string ToString() => string.Join(",", Hosts.Select(h => $"{h.Host}:{h.Port}")) + Chroot;
}
