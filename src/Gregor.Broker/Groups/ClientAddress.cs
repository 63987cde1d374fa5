using System.Net;

namespace Gregor.Broker.Groups;

/// <summary>A member's client host as Kafka reports it in DescribeGroups: Java's
/// InetAddress.toString() of the peer, i.e. "/" followed by the address.</summary>
public static class ClientAddress
{
    public static string Format(EndPoint? remote) => remote switch
    {
        IPEndPoint ip => "/" + (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address),
        null => "",
        _ => "/" + remote,
    };
}
