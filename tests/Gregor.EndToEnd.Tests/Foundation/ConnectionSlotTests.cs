using System.Buffers.Binary;
using System.Net.Sockets;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// Every way a connection ends gives its max.connections slot back: after ten times
/// max.connections connections ended in each way, max.connections clients can still be connected
/// and answered at the same time (one slot leaked would refuse the last of them).
/// </summary>
public sealed class ConnectionSlotTests
{
    private const int MaxConnections = 50;
    private const int Workers = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static readonly byte[] ApiVersions = RawConnection.BuildRequest(new ApiVersionsRequest(), version: 0, correlationId: 1);

    // A v0 request header with an API key no Kafka version defines.
    private static readonly byte[] UnknownApiKey = [.. Int32(10), 0x27, 0x0f, 0, 0, 0, 0, 0, 1, 0xff, 0xff];

    // A frame of two bytes: too short for a request header.
    private static readonly byte[] Malformed = [.. Int32(2), 0, 18];

    // A size prefix above socket.request.max.bytes (100 MiB by default).
    private static readonly byte[] Oversized = [.. Int32(200 * 1024 * 1024), 0, 18, 0, 0];

    // The size prefix and the first bytes of an ApiVersions request, the rest never sent.
    private static readonly byte[] Partial = ApiVersions[..9];

    private static readonly byte[] SaslHandshake = RawConnection.BuildRequest(new SaslHandshakeRequest { Mechanism = "PLAIN" }, version: 1, correlationId: 1);

    /// <summary>One way of ending a connection, from the client's side of it.</summary>
    private static readonly (string Name, Func<Socket, Task> End)[] Endings =
    [
        ("client closes after one answered request", async s => { await s.SendAsync(ApiVersions); await ReadSomeAsync(s); }),
        ("client closes before reading the answer", async s => await s.SendAsync(ApiVersions)),
        ("client closes after a SaslHandshake", async s => { await s.SendAsync(SaslHandshake); await ReadSomeAsync(s); }),
        ("client closes mid-frame", async s => await s.SendAsync(Partial)),
        ("malformed request", async s => { await s.SendAsync(Malformed); await WaitForBrokerCloseAsync(s); }),
        ("unknown API key", async s => { await s.SendAsync(UnknownApiKey); await WaitForBrokerCloseAsync(s); }),
        ("oversized frame", async s => { await s.SendAsync(Oversized); await WaitForBrokerCloseAsync(s); }),
        ("reset by peer mid-frame", async s => { await s.SendAsync(Partial); s.LingerState = new LingerOption(true, 0); }),
        ("reset by peer before the answer is read", async s => { await s.SendAsync(ApiVersions); s.LingerState = new LingerOption(true, 0); }),
    ];

    private static async Task ReadSomeAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ReceiveAsync(new byte[64], SocketFlags.None, cts.Token);
    }

    private static async Task WaitForBrokerCloseAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[64];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    private static async Task EndConnectionsAsync(int port, Func<Socket, Task> end, int count)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync("127.0.0.1", port);
                try
                {
                    await end(socket);
                }
                catch (SocketException)
                {
                    // Refused on accept while earlier connections were still being let go of, or
                    // reset by the broker: the connection ended either way.
                }
            }
        }));
    }

    /// <summary>Opens <paramref name="count"/> connections and has each answer an ApiVersions while all are open.</summary>
    private static async Task<bool> AllAnsweredAtOnceAsync(int port, int count)
    {
        var connections = new List<RawConnection>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var connection = await RawConnection.ConnectAsync(port);
                connections.Add(connection);
                await connection.SendAsync(new ApiVersionsRequest(), 0, i);
                if (await connection.ReadFrameAsync(Timeout) is null)
                {
                    return false;
                }
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            connections.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Connections_ended_in_every_way_give_their_slot_back()
    {
        await using var broker = await BrokerProcess.StartAsync([$"max.connections={MaxConnections}"]);
        foreach (var (_, end) in Endings)
        {
            await EndConnectionsAsync(broker.Port, end, 10 * MaxConnections);
        }

        // The broker notices the last closes in its own time: retry until every slot is free.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await AllAnsweredAtOnceAsync(broker.Port, MaxConnections))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"{MaxConnections} connections could not be served at once after {Endings.Length * 10 * MaxConnections} connections ended: slots leaked");
            await Task.Delay(500);
        }
        Assert.False(broker.HasExited);
    }
}
