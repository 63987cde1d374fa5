using System.Net;
using System.Net.Sockets;

namespace Gregor.Bench.Compare.Clients;

/// <summary>Plain TCP connections to a server that send nothing: the "idle connections" of the at-rest workload.</summary>
public sealed class IdleConnections : IAsyncDisposable
{
    private readonly List<Socket> _sockets = [];
    private readonly List<IAsyncDisposable> _extra = [];

    public static async Task<IdleConnections> OpenAsync(int port, int count)
    {
        var idle = new IdleConnections();
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            idle._sockets.Add(socket);
        }
        return idle;
    }

    /// <summary>Also disposes <paramref name="resource"/> when the connections close.</summary>
    public IdleConnections With(IAsyncDisposable resource)
    {
        _extra.Add(resource);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sockets)
        {
            s.Dispose();
        }
        foreach (var e in _extra)
        {
            await e.DisposeAsync();
        }
    }
}
