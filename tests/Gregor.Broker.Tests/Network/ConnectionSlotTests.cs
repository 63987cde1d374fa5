using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gregor.Broker.Handlers;
using Gregor.Broker.Network;
using Gregor.Broker.Requests;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gregor.Broker.Tests.Network;

/// <summary>
/// The listener counts connections exactly: however a connection ends — a handler that throws,
/// a response that cannot be written, the client closing or resetting — its slot is given back,
/// so after ten times max.connections such connections the count is back to zero and a new
/// client is served.
/// </summary>
public sealed class ConnectionSlotTests
{
    private const int MaxConnections = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>ListGroups: its handler throws.</summary>
    private sealed class ThrowingHandler : IRequestHandler
    {
        public ApiKey ApiKey => ApiKey.ListGroups;

        public short MinVersion => 0;

        public short MaxVersion => 0;

        public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("handler failed");
    }

    /// <summary>DescribeGroups: its response throws while it is written.</summary>
    private sealed class UnwritableResponseHandler : IRequestHandler
    {
        private sealed class Unwritable : IKafkaMessage
        {
            public void Write(KafkaWriter writer, short version) => throw new InvalidOperationException("response cannot be written");
        }

        public ApiKey ApiKey => ApiKey.DescribeGroups;

        public short MinVersion => 0;

        public short MaxVersion => 0;

        public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IKafkaMessage?>(new Unwritable());
    }

    /// <summary>A v0 request of <paramref name="apiKey"/> with an empty body (header v1, null client id).</summary>
    private static byte[] Request(ApiKey apiKey)
    {
        var frame = new byte[14];
        BinaryPrimitives.WriteInt32BigEndian(frame, 10);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), (short)apiKey);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), 1);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
        return frame;
    }

    private static async Task<int> ReadToEndAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[256];
        var total = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                total += n;
            }
        }
        catch (SocketException)
        {
        }
        return total;
    }

    private static readonly (string Name, Func<Socket, Task> End)[] Endings =
    [
        ("handler throws", async s => { await s.SendAsync(Request(ApiKey.ListGroups)); await ReadToEndAsync(s); }),
        ("response writer throws", async s => { await s.SendAsync(Request(ApiKey.DescribeGroups)); await ReadToEndAsync(s); }),
        ("client closes after one answered request", async s => { await s.SendAsync(Request(ApiKey.ApiVersions)); await s.ReceiveAsync(new byte[8]); }),
        ("client closes mid-frame", async s => await s.SendAsync(Request(ApiKey.ApiVersions)[..7])),
        ("unknown API key", async s => { await s.SendAsync(Request((ApiKey)9999)); await ReadToEndAsync(s); }),
        ("reset by peer", async s => { await s.SendAsync(Request(ApiKey.ApiVersions)); s.LingerState = new LingerOption(true, 0); }),
    ];

    [Fact]
    public async Task Connections_ended_in_every_way_leave_the_count_at_zero()
    {
        var handlers = new List<IRequestHandler> { new ThrowingHandler(), new UnwritableResponseHandler() };
        handlers.Add(new ApiVersionsHandler(handlers));
        await using var listener = new KafkaListener(new ListenerOptions { Address = IPAddress.Loopback, Port = 0, MaxConnections = MaxConnections }, NullLoggerFactory.Instance);
        listener.Bind();
        listener.Start(new RequestDispatcher(handlers, NullLogger<RequestDispatcher>.Instance));

        foreach (var (name, end) in Endings)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                for (var i = 0; i < 10 * MaxConnections / 4; i++)
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, listener.BoundPort);
                    try
                    {
                        await end(socket);
                    }
                    catch (SocketException)
                    {
                    }
                }
            }));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (listener.ConnectionCount != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{listener.ConnectionCount} connections still counted after all ended");
            await Task.Delay(100);
        }

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, listener.BoundPort);
        await client.SendAsync(Request(ApiKey.ApiVersions));
        var prefix = new byte[4];
        using var cts = new CancellationTokenSource(Timeout);
        Assert.Equal(4, await client.ReceiveAsync(prefix, SocketFlags.None, cts.Token));
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(prefix) > 0);
    }
}
