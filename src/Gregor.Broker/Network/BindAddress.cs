using System.Net;
using System.Net.Sockets;
using Gregor.Broker.Server;

namespace Gregor.Broker.Network;

public static class BindAddress
{
    /// <summary>An empty host binds every interface; a name binds the first address it resolves to,
    /// preferring IPv4 (so `localhost` binds 127.0.0.1).</summary>
    public static IPAddress Resolve(string host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return IPAddress.Any;
        }
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return address;
        }
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException e)
        {
            throw new StartupException($"Invalid value {host} for configuration listeners: the host does not resolve ({e.Message})", e);
        }
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new StartupException($"Invalid value {host} for configuration listeners: the host does not resolve");
    }
}
